import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import {
  ResourceGraphClient,
  type ResourceGraphClientOptionalParams,
} from '@azure/arm-resourcegraph';
import type { TokenCredential } from '@azure/core-auth';
import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  deriveState,
  type Condition,
  type GitOpsRecord,
  type HealthStatus,
} from '@gitops-status/plugin-gitops-common';
import type {
  GitOpsSource,
  SourceSink,
} from '@gitops-status/plugin-gitops-node';
import type { ClusterDirectory } from '../../config/clusters';
import {
  clusterResourceIdOf,
  normalizeFluxConfiguration,
  normalizeFluxExtension,
  type FluxExtensionStatus,
} from '../../normalize';
import { joinMessages, shortText } from '../../normalize/text';
import {
  backoffMs,
  CircuitBreakers,
  CircuitOpenError,
  circuitOpenMessage,
  DEFAULT_RETRY,
  retryAfterMs,
  sleep,
  type RetryOptions,
} from '../resilience';
import { createAzureCredential, type AzureConfig } from './config';

/** Flux configurations (camelCase properties) of every AKS / Arc cluster in scope. */
export const FLUX_CONFIGURATIONS_QUERY = `kubernetesconfigurationresources
| where type =~ 'microsoft.kubernetesconfiguration/fluxconfigurations'
| project id, name, type, properties, subscriptionId, resourceGroup`;

/** The microsoft.flux cluster extensions (PascalCase properties in Resource Graph). */
export const FLUX_EXTENSIONS_QUERY = `kubernetesconfigurationresources
| where type =~ 'microsoft.kubernetesconfiguration/extensions' and properties.ExtensionType =~ 'microsoft.flux'
| project id, name, type, properties, subscriptionId, resourceGroup`;

/** Azure's default and largest page. */
const MAX_PAGE_SIZE = 1000;
const MAX_PAGES = 1000;
const RESOURCES_CALL = 'POST Microsoft.ResourceGraph/resources';

export interface AzureResourceGraphSourceOptions {
  azure: AzureConfig;
  clusters: ClusterDirectory;
  logger: LoggerService;
  /** Per HTTP call (one page). */
  requestTimeoutMs: number;
  /** Replaces the configured / default credential (tests: a static token). */
  credential?: TokenCredential;
  /** Rows per page (`$top`), 1–1000 (default 1000). */
  pageSize?: number;
  retry?: RetryOptions;
  /** The target's circuit (`azure:<hash>`); shared with the other sources by the plugin. */
  breakers?: CircuitBreakers;
  /** Merged into the Resource Graph client options (tests: extra pipeline policies). */
  clientOptions?: ResourceGraphClientOptionalParams;
  now?: () => Date;
}

/** An upstream failure, naming the call and what went wrong. */
export class AzureSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AzureSourceError';
  }
}

/** The session ended while a call was in flight: nothing to report. */
class Aborted extends Error {}

interface Failure {
  message: string;
  retryable: boolean;
  retryAfterMs?: number;
}

function caPem(caData: string | undefined): string | undefined {
  if (!caData) return undefined;
  return caData.includes('-----BEGIN')
    ? caData
    : Buffer.from(caData, 'base64').toString('utf8');
}

/** `hh:mm:ss` (Resource Graph's x-ms-user-quota-resets-after) in ms. */
function durationMs(value: string | null | undefined): number | undefined {
  const m = value && /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value.trim());
  return m ? ((+m[1] * 60 + +m[2]) * 60 + +m[3]) * 1000 : undefined;
}

/** How long a throttled (429) or unavailable (503) answer asks us to wait. */
function throttleWaitMs(
  headers: { get(name: string): string | undefined } | undefined,
): number | undefined {
  if (!headers) return undefined;
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const v = Number(headers.get(name));
    if (headers.get(name) && Number.isFinite(v)) return v;
  }
  return (
    retryAfterMs(headers.get('retry-after')) ??
    durationMs(headers.get('x-ms-user-quota-resets-after'))
  );
}

function describeFailure(e: unknown, timedOut: number | undefined): Failure {
  if (timedOut !== undefined) {
    return { message: `timed out after ${timedOut} ms`, retryable: true };
  }
  const err = e as Error & {
    statusCode?: number;
    code?: string;
    response?: { headers?: { get(name: string): string | undefined } };
  };
  const name = err?.name ?? '';
  if (/Credential|Authentication/.test(name)) {
    return { message: `getting a token: ${err.message}`, retryable: false };
  }
  if (name === 'RestError') {
    const status = err.statusCode;
    if (err.code === 'PARSE_ERROR') {
      return {
        message: `invalid JSON response: ${err.message}`,
        retryable: false,
      };
    }
    if (status === undefined) {
      // No answer: connection refused / reset, TLS failure.
      return {
        message: err.code ? `${err.message} (${err.code})` : err.message,
        retryable: !/certificate|self[- ]signed/i.test(err.message),
      };
    }
    const label = err.code ?? STATUS_CODES[status] ?? '';
    const message = `${status}${label ? ` ${label}` : ''}${
      err.message && err.message !== label ? `: ${err.message}` : ''
    }`;
    const retryable =
      status === 408 || status === 429 || (status >= 500 && status !== 501);
    return {
      message,
      retryable,
      retryAfterMs:
        status === 429 || status === 503
          ? throttleWaitMs(err.response?.headers)
          : undefined,
    };
  }
  return { message: err?.message ?? String(e), retryable: false };
}

const CONDITION_STATUS: Partial<Record<HealthStatus, Condition['status']>> = {
  Healthy: 'True',
  Degraded: 'False',
};

/**
 * A cluster's microsoft.flux extension on each of its Flux configuration records: always as a
 * `FluxExtension/<name>` condition (True when provisioned, False when Failed/Canceled, Unknown
 * while creating/updating/deleting). A failed extension means the cluster's Flux controllers
 * are not running as configured, so the configuration is Degraded (state error) whatever
 * compliance it last reported; one being updated makes a healthy configuration Progressing.
 */
export function attachExtension(
  record: GitOpsRecord,
  ext: FluxExtensionStatus,
): GitOpsRecord {
  const version = ext.currentVersion ?? ext.version;
  const condition: Condition = {
    type: shortText(`FluxExtension/${ext.name}`)!,
    status: CONDITION_STATUS[ext.health] ?? 'Unknown',
    reason: ext.provisioningState,
  };
  const note = joinMessages(
    version ? `${ext.extensionType ?? 'microsoft.flux'} ${version}` : undefined,
    ext.message,
  );
  if (note) condition.message = note;
  const next: GitOpsRecord = {
    ...record,
    conditions: [...record.conditions, condition],
  };
  const problem =
    ext.health === 'Degraded' ||
    (ext.health === 'Progressing' && record.health === 'Healthy');
  if (problem) {
    next.health = ext.health;
    next.reason = shortText(`FluxExtension${ext.provisioningState}`);
    next.message = joinMessages(
      `Flux extension ${ext.name} ${ext.provisioningState}${
        ext.message ? `: ${ext.message}` : ''
      }`,
      record.message,
    );
    next.links = [
      ...record.links,
      ...ext.links
        .filter(l => !record.links.some(r => r.url === l.url))
        .map(l => ({ ...l, title: `${l.title} (Flux extension)` })),
    ];
  }
  next.state = deriveState(next);
  return next;
}

/**
 * Azure-managed Flux from Azure Resource Graph: the `fluxConfigurations` of every AKS / Arc
 * cluster in the configured subscriptions and the state of their microsoft.flux extensions, with
 * the real `@azure/arm-resourcegraph` client, paged with `$top` / `$skipToken`. Reports one target
 * (`azure:<subscriptions hash>`); any failed query keeps the previous records.
 *
 * Retries are ours, not the SDK's (its retry policy is off): a timeout per page, exponential
 * backoff with jitter for network errors and 5xx, and for 429 / 503 the server's Retry-After
 * (`retry-after-ms`, `Retry-After` seconds or date, or Resource Graph's
 * `x-ms-user-quota-resets-after`) — up to `retry.maxDelayMs`, beyond which we give up until the
 * next collection instead of holding the session.
 */
export class AzureResourceGraphSource implements GitOpsSource {
  readonly id = 'azure';
  readonly type = 'azure' as const;
  private client?: ResourceGraphClient;
  private issuedTokens: string[] = [];
  private readonly retry: Required<RetryOptions>;
  private readonly breakers: CircuitBreakers;
  private readonly pageSize: number;
  /** `azure:<hash of the subscriptions>`, `azure:default` for all of them. */
  readonly targetId: string;
  readonly target: string;

  constructor(private readonly options: AzureResourceGraphSourceOptions) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.breakers = options.breakers ?? new CircuitBreakers();
    this.pageSize = Math.min(
      Math.max(Math.trunc(options.pageSize ?? MAX_PAGE_SIZE), 1),
      MAX_PAGE_SIZE,
    );
    const subscriptions = options.azure.subscriptions;
    this.targetId = subscriptions.length
      ? `azure:${createHash('sha256')
          .update(
            [...subscriptions]
              .map(s => s.toLowerCase())
              .sort()
              .join(','),
          )
          .digest('hex')
          .slice(0, 12)}`
      : 'azure:default';
    this.target = subscriptions.length
      ? subscriptions.join(', ')
      : 'all subscriptions';
  }

  /** The credential, noting the tokens it hands out so no message can show one. */
  private rememberingTokens(credential: TokenCredential): TokenCredential {
    return {
      getToken: async (scopes, options) => {
        const token = await credential.getToken(scopes, options);
        if (token?.token && !this.issuedTokens.includes(token.token)) {
          // A token lives an hour or so; the last few are all that can still be echoed.
          this.issuedTokens = [token.token, ...this.issuedTokens].slice(0, 4);
        }
        return token;
      },
    };
  }

  /**
   * Secrets never reach a message or a log line, whatever an endpoint or a proxy echoes back:
   * the configured access token and client secret, and the tokens the credential obtained.
   */
  private redact(message: string): string {
    const { accessToken, clientSecret } = this.options.azure;
    let out = message;
    for (const secret of [accessToken, clientSecret, ...this.issuedTokens]) {
      if (secret && secret.length >= 4) out = out.split(secret).join('***');
    }
    return out;
  }

  private getClient(): ResourceGraphClient {
    if (!this.client) {
      const { azure } = this.options;
      const ca = caPem(azure.caData);
      this.client = new ResourceGraphClient(
        this.rememberingTokens(
          this.options.credential ?? createAzureCredential(azure),
        ),
        {
          endpoint: azure.endpoint,
          // Tokens for the configured cloud's Resource Manager, not the public one.
          credentials: azure.endpoint
            ? { scopes: [`${new URL(azure.endpoint).origin}/.default`] }
            : undefined,
          tlsOptions: ca ? { ca } : undefined,
          retryOptions: { maxRetries: 0 },
          userAgentOptions: { userAgentPrefix: 'backstage-gitops-status' },
          ...this.options.clientOptions,
        },
      );
    }
    return this.client;
  }

  async collect({
    sink,
    signal,
  }: {
    sink: SourceSink;
    signal: AbortSignal;
  }): Promise<void> {
    const { logger } = this.options;
    let configRows: unknown[];
    let extensionRows: unknown[];
    try {
      [configRows, extensionRows] = await this.breakers
        .breakerFor(this.targetId)
        .execute(async () => {
          // One after the other: a failure ends the collection with nothing left in flight.
          const configs = await this.queryAll(
            'flux configurations',
            FLUX_CONFIGURATIONS_QUERY,
            signal,
          );
          const extensions = await this.queryAll(
            'flux extensions',
            FLUX_EXTENSIONS_QUERY,
            signal,
          );
          return [configs, extensions];
        }, signal);
    } catch (e) {
      if (e instanceof Aborted || signal.aborted) return;
      let message: string;
      if (e instanceof CircuitOpenError)
        message = circuitOpenMessage('azure', e);
      else if (e instanceof AzureSourceError) message = e.message;
      else message = `azure: ${(e as Error)?.message ?? e}`;
      message = this.redact(message);
      logger.warn(message);
      await sink.report({
        id: this.targetId,
        target: this.target,
        status: 'error',
        message,
      });
      return;
    }
    if (signal.aborted) return;
    const { records, notes } = this.normalize(configRows, extensionRows);
    await sink.report({
      id: this.targetId,
      target: this.target,
      status: 'ok',
      records,
      message: joinMessages(...notes),
    });
  }

  /** Every row of a query, page by page. */
  private async queryAll(
    what: string,
    query: string,
    signal: AbortSignal,
  ): Promise<unknown[]> {
    const { subscriptions } = this.options.azure;
    const rows: unknown[] = [];
    let skipToken: string | undefined;
    for (let page = 1; ; page++) {
      const label = `azure: ${RESOURCES_CALL} (${what}${
        page > 1 ? `, page ${page}` : ''
      })`;
      const request = {
        subscriptions: subscriptions.length ? subscriptions : undefined,
        query,
        options: {
          top: this.pageSize,
          skipToken,
          resultFormat: 'objectArray' as const,
        },
      };
      const response = await this.attempt(
        label,
        abortSignal => this.getClient().resources(request, { abortSignal }),
        signal,
      );
      if (!response || !Array.isArray(response.data)) {
        throw new AzureSourceError(
          `${label}: response is not a Resource Graph result`,
        );
      }
      rows.push(...response.data);
      const next = response.skipToken || undefined;
      if (!next) {
        if (response.resultTruncated === 'true') {
          throw new AzureSourceError(
            `${label}: result truncated without a $skipToken`,
          );
        }
        return rows;
      }
      if (next === skipToken || page >= MAX_PAGES) {
        throw new AzureSourceError(`${label}: paging does not end`);
      }
      skipToken = next;
    }
  }

  /** One call with a timeout per try; retried as the class comment says. */
  private async attempt<T>(
    label: string,
    call: (abortSignal: AbortSignal) => Promise<T>,
    signal: AbortSignal,
  ): Promise<T> {
    const ms = this.options.requestTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      const timeout = AbortSignal.timeout(ms);
      let failure: Failure;
      try {
        return await call(AbortSignal.any([signal, timeout]));
      } catch (e) {
        if (signal.aborted) throw new Aborted();
        failure = describeFailure(e, timeout.aborted ? ms : undefined);
      }
      const message = this.redact(`${label}: ${failure.message}`);
      if (!failure.retryable || attempt >= this.retry.attempts) {
        throw new AzureSourceError(message);
      }
      if (
        failure.retryAfterMs !== undefined &&
        failure.retryAfterMs > this.retry.maxDelayMs
      ) {
        throw new AzureSourceError(
          `${message} (asked to retry after ${Math.ceil(
            failure.retryAfterMs / 1000,
          )} s; trying again next collection)`,
        );
      }
      const wait = failure.retryAfterMs ?? backoffMs(attempt - 1, this.retry);
      this.options.logger.debug(`${message}; retrying in ${wait} ms`);
      await sleep(wait, signal);
      if (signal.aborted) throw new Aborted();
    }
  }

  /** The configured cluster an ARM cluster id belongs to, else `unknown:<id>`. */
  private clusterOf(armClusterId: string): string {
    return (
      this.options.clusters.resolve(armClusterId) ?? `unknown:${armClusterId}`
    );
  }

  private normalize(
    configRows: unknown[],
    extensionRows: unknown[],
  ): { records: GitOpsRecord[]; notes: string[] } {
    const observedAt = (this.options.now?.() ?? new Date()).toISOString();
    const rejected: string[] = [];

    const extensions = new Map<string, FluxExtensionStatus[]>();
    for (const row of extensionRows) {
      const result = normalizeFluxExtension(row);
      if (!result.ok) {
        rejected.push(result.error);
        continue;
      }
      const armCluster = result.extension.clusterResourceId;
      if (!armCluster) {
        rejected.push(
          `extension ${result.extension.name}: id does not name a cluster`,
        );
        continue;
      }
      const cluster = this.clusterOf(armCluster);
      extensions.set(cluster, [
        ...(extensions.get(cluster) ?? []),
        result.extension,
      ]);
    }

    const records: GitOpsRecord[] = [];
    for (const row of configRows) {
      const armCluster = clusterResourceIdOf((row as any)?.id);
      if (!armCluster) {
        rejected.push(
          `FluxConfiguration ${
            shortText((row as any)?.name) ?? '<no name>'
          }: id ${
            shortText((row as any)?.id) ?? '(none)'
          } does not name a cluster`,
        );
        continue;
      }
      const cluster = this.clusterOf(armCluster);
      const result = normalizeFluxConfiguration(row, {
        cluster,
        source: 'azure',
        observedAt,
      });
      if (!result.ok) {
        rejected.push(result.error);
        continue;
      }
      records.push(
        (extensions.get(cluster) ?? []).reduce(attachExtension, result.record),
      );
    }

    const notes: string[] = [];
    if (rejected.length) {
      for (const r of rejected) {
        this.options.logger.debug(`${this.targetId}: skipped a row: ${r}`);
      }
      notes.push(
        `${rejected.length} of ${
          configRows.length + extensionRows.length
        } rows could not be read, e.g. ${rejected[0]}`,
      );
    }
    // An extension problem on a cluster without configurations has no record to show on.
    const placed = new Set(records.map(r => r.cluster));
    for (const [cluster, list] of extensions) {
      if (placed.has(cluster)) continue;
      for (const ext of list) {
        if (ext.health === 'Healthy') continue;
        notes.push(
          `Flux extension ${ext.name} on ${cluster}: ${ext.provisioningState}${
            ext.message ? `: ${ext.message}` : ''
          }`,
        );
      }
    }
    return { records, notes };
  }
}
