import { STATUS_CODES } from 'node:http';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { GitOpsRecord } from '@gitops-status/plugin-gitops-common';
import type {
  GitOpsSource,
  SourceSink,
} from '@gitops-status/plugin-gitops-node';
import type { ClusterDirectory } from '../../config/clusters';
import { normalizeObject, type NormalizeContext } from '../../normalize';
import type { ArgoCdInstanceConfig } from './config';
import { createHttpsFetch, type FetchLike } from './http';
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

/**
 * The paths of an Application the normalizer reads (normalize/argocd.ts and the dispatch in
 * normalize/index.ts), for the list call's `fields` projection. `metadata.resourceVersion` is not
 * read: it tells whether the server honoured the projection (see {@link ArgoCdApiSource}).
 */
export const APPLICATION_FIELDS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.labels',
  'metadata.deletionTimestamp',
  'metadata.resourceVersion',
  'spec.project',
  'spec.destination',
  'spec.source.repoURL',
  'spec.source.targetRevision',
  'spec.source.chart',
  'spec.sources.repoURL',
  'spec.sources.targetRevision',
  'spec.sources.chart',
  // Set while a sync is requested; only its presence (and that of `sync`) is read.
  'operation.sync.revision',
  'status.sync.status',
  'status.sync.revision',
  'status.sync.revisions',
  'status.health',
  'status.operationState.phase',
  'status.operationState.message',
  'status.operationState.startedAt',
  'status.operationState.finishedAt',
  'status.operationState.operation.sync.revision',
  'status.operationState.operation.sync.revisions',
  'status.conditions',
  'status.reconciledAt',
  'status.observedAt',
  'status.history.id',
  'status.history.revision',
  'status.history.revisions',
  'status.history.deployedAt',
] as const;

/** The `fields` query parameter of `GET /api/v1/applications`. */
export const LIST_FIELDS = [
  'metadata.resourceVersion',
  ...APPLICATION_FIELDS.map(f => `items.${f}`),
].join(',');

const APPLICATIONS_PATH = '/api/v1/applications';
const SESSION_PATH = '/api/v1/session';

export interface ArgoCdApiSourceOptions {
  instances: ArgoCdInstanceConfig[];
  clusters: ClusterDirectory;
  logger: LoggerService;
  /** Per HTTP call, body included. */
  requestTimeoutMs: number;
  /** Replaces the HTTPS client for every instance (tests; TLS is then up to it). */
  fetch?: FetchLike;
  retry?: RetryOptions;
  /** One circuit per instance (`argocd-api:<name>`); shared with the other sources by the plugin. */
  breakers?: CircuitBreakers;
  now?: () => Date;
}

/** An upstream failure; its message names the instance, the call and what went wrong. */
export class ArgoCdError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'ArgoCdError';
  }
}

/** The session ended while a call was in flight: nothing to report. */
class Aborted extends Error {}

/** A failure worth another try (timeout, network, 408, 429, 5xx). */
class RetryableError extends Error {
  constructor(readonly error: ArgoCdError, readonly waitMs?: number) {
    super(error.message);
  }
}

interface InstanceState {
  readonly config: ArgoCdInstanceConfig;
  readonly fetch: FetchLike;
  /** The home cluster: where `https://kubernetes.default.svc` points. */
  readonly cluster?: string;
  session?: string;
  login?: Promise<string>;
  /** False once the server was seen to drop fields of the projection (real Argo CD does). */
  projection: boolean;
}

interface CallOptions {
  method: 'GET' | 'POST';
  path: string;
  query?: URLSearchParams;
  body?: unknown;
  token?: string;
  /** How the call is named in errors (`GET /api/v1/applications?appNamespace=x`). */
  label?: string;
  /**
   * False for a call that must not run twice (a sync): it is retried only when the server cannot
   * have acted on it (connection refused, 429, 503), not after a timeout, a dropped connection or
   * another 5xx, where Argo CD may already have started the operation.
   */
  idempotent?: boolean;
}

/** Socket errors raised before a request reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

function errorCode(e: unknown): string | undefined {
  const err = e as Error & { code?: string; cause?: any };
  return err?.cause?.code ?? err?.code;
}

function caPem(caData: string | undefined): string | undefined {
  if (!caData) return undefined;
  return caData.includes('-----BEGIN')
    ? caData
    : Buffer.from(caData, 'base64').toString('utf8');
}

function networkReason(e: unknown): string {
  const err = e as Error & { code?: string; cause?: any };
  // global fetch: TypeError('fetch failed') with the socket error as its cause.
  const inner = err?.cause instanceof Error ? err.cause : undefined;
  const code = (inner as any)?.code ?? err?.code;
  const message = inner?.message ?? err?.message ?? String(e);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/** Short server explanation from an Argo CD (gRPC gateway) error body, if any. */
function serverReason(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body);
    const m = parsed?.message ?? parsed?.error;
    if (typeof m === 'string' && m.trim()) return m.trim().slice(0, 300);
  } catch {
    // not JSON: a proxy's HTML page says nothing useful in one line
  }
  return undefined;
}

/**
 * Applications from Argo CD API servers: per instance and collection, one
 * `GET /api/v1/applications` (one per namespace when `namespaces` is set), with a `fields`
 * projection of what the normalizer reads. Bearer token, or a session from
 * `POST /api/v1/session` reused until it is refused. Each instance reports on its own
 * (`argocd-api:<name>`); a failing one keeps its previous records and never hides another.
 *
 * Real Argo CD servers honour only a fixed list of projectable fields (server/application
 * `appFields`), which lacks `status.sync.revision`, `status.history`, `status.conditions`…: when
 * the answer shows the projection was not honoured as asked (items without
 * `metadata.resourceVersion`), the list is read again without it, and from then on for that
 * instance, so no record ever loses revisions or conditions.
 */
export class ArgoCdApiSource implements GitOpsSource {
  readonly id = 'argocd-api';
  readonly type = 'argocd-api' as const;
  private readonly states: InstanceState[];
  private readonly retry: Required<RetryOptions>;
  private readonly breakers: CircuitBreakers;

  constructor(private readonly options: ArgoCdApiSourceOptions) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.breakers = options.breakers ?? new CircuitBreakers();
    this.states = options.instances.map(config => ({
      config,
      fetch:
        options.fetch ??
        createHttpsFetch({
          ca: caPem(config.caData),
          rejectUnauthorized: !config.skipTLSVerify,
        }),
      cluster:
        config.cluster ??
        options.clusters.clusters.find(c => c.argocdInstance === config.name)
          ?.name,
      projection: true,
    }));
  }

  async collect({
    sink,
    signal,
  }: {
    sink: SourceSink;
    signal: AbortSignal;
  }): Promise<void> {
    await Promise.all(
      this.states.map(state =>
        this.collectInstance(state, sink, signal).catch(e =>
          this.options.logger.error(
            `argocd ${state.config.name}: could not report: ${e}`,
          ),
        ),
      ),
    );
  }

  /**
   * Asks an instance to sync one Application (`POST /api/v1/applications/{name}/sync`), with the
   * instance's credentials. Undefined when no instance of that name is configured. The name is
   * path-encoded; it selects an Application on the configured server, never another URL.
   */
  syncApplication(
    instance: string,
    app: { name: string; namespace: string },
    signal: AbortSignal,
  ): Promise<void> | undefined {
    const state = this.states.find(s => s.config.name === instance);
    if (!state) return undefined;
    const query = new URLSearchParams({ appNamespace: app.namespace });
    return this.authorizedCall(
      state,
      {
        method: 'POST',
        path: `/api/v1/applications/${encodeURIComponent(app.name)}/sync`,
        query,
        body: { appNamespace: app.namespace },
        label: `sync ${app.namespace}/${app.name}`,
        idempotent: false,
      },
      signal,
    ).then(
      () => undefined,
      e => {
        throw e instanceof Aborted
          ? new ArgoCdError(`argocd ${instance}: sync aborted`)
          : e;
      },
    );
  }

  private async collectInstance(
    state: InstanceState,
    sink: SourceSink,
    signal: AbortSignal,
  ): Promise<void> {
    const { name } = state.config;
    const id = `argocd-api:${name}`;
    let items: unknown[];
    try {
      items = await this.breakers
        .breakerFor(id)
        .execute(() => this.listApplications(state, signal), signal);
    } catch (e) {
      if (e instanceof Aborted || signal.aborted) return;
      let message: string;
      if (e instanceof CircuitOpenError) {
        message = circuitOpenMessage(`argocd ${name}`, e);
      } else if (e instanceof ArgoCdError) {
        message = e.message;
      } else {
        message = `argocd ${name}: ${(e as Error)?.message ?? e}`;
      }
      message = this.redact(state, message);
      this.options.logger.warn(message);
      await sink.report({ id, target: name, status: 'error', message });
      return;
    }
    if (signal.aborted) return;
    const { records, rejected } = this.normalize(state, items);
    for (const r of rejected) {
      this.options.logger.debug(`${id}: skipped an application: ${r}`);
    }
    await sink.report({
      id,
      target: name,
      status: 'ok',
      records,
      message: rejected.length
        ? `${rejected.length} of ${items.length} applications could not be read, e.g. ${rejected[0]}`
        : undefined,
    });
  }

  /** Every Application of the instance (its configured namespaces and projects). */
  private async listApplications(
    state: InstanceState,
    signal: AbortSignal,
  ): Promise<unknown[]> {
    const { namespaces, projects } = state.config;
    // By namespace/name, so an Application is never reported twice; unnamed ones are kept for
    // the normalizer to reject (and count).
    const byKey = new Map<string, unknown>();
    const unnamed: unknown[] = [];
    for (const namespace of namespaces.length ? namespaces : [undefined]) {
      const query = new URLSearchParams();
      for (const p of projects) query.append('projects', p);
      if (namespace) query.set('appNamespace', namespace);
      for (const item of await this.listOnce(state, query, signal)) {
        const m = (item as any)?.metadata;
        if (typeof m?.name === 'string') {
          byKey.set(`${m.namespace ?? ''}/${m.name}`, item);
        } else unnamed.push(item);
      }
    }
    return [...byKey.values(), ...unnamed];
  }

  private async listOnce(
    state: InstanceState,
    baseQuery: URLSearchParams,
    signal: AbortSignal,
  ): Promise<unknown[]> {
    const label = baseQuery.has('appNamespace')
      ? `GET ${APPLICATIONS_PATH}?appNamespace=${baseQuery.get('appNamespace')}`
      : `GET ${APPLICATIONS_PATH}`;
    const get = async (projected: boolean) => {
      const query = new URLSearchParams(baseQuery);
      if (projected) query.set('fields', LIST_FIELDS);
      return this.itemsOf(
        state,
        label,
        await this.authorizedCall(
          state,
          { method: 'GET', path: APPLICATIONS_PATH, query, label },
          signal,
        ),
      );
    };
    if (!state.projection) return get(false);
    const items = await get(true);
    if (!this.projectionHonoured(items)) {
      state.projection = false;
      this.options.logger.info(
        `argocd ${state.config.name}: the server does not honour the fields projection (Argo CD only keeps a fixed set of fields); reading full Applications from now on`,
      );
      return get(false);
    }
    return items;
  }

  /** Every item we asked `metadata.resourceVersion` for has one, unless the server dropped it. */
  private projectionHonoured(items: unknown[]): boolean {
    return items.every(item => {
      const m = (item as any)?.metadata;
      return !m?.name || m.resourceVersion !== undefined;
    });
  }

  private itemsOf(state: InstanceState, label: string, body: any): unknown[] {
    // Argo CD serialises an empty list as `items: null`.
    if (body && typeof body === 'object' && body.items === null) return [];
    if (!body || typeof body !== 'object' || !Array.isArray(body.items)) {
      throw new ArgoCdError(
        `argocd ${state.config.name}: ${label}: response is not an application list`,
      );
    }
    return body.items;
  }

  /** A call with the instance's credentials; a refused session is renewed once. */
  private async authorizedCall(
    state: InstanceState,
    call: CallOptions,
    signal: AbortSignal,
  ): Promise<unknown> {
    const { token } = state.config;
    if (token) return this.call(state, { ...call, token }, signal);
    const session = await this.sessionToken(state, signal);
    try {
      return await this.call(state, { ...call, token: session }, signal);
    } catch (e) {
      if (!(e instanceof ArgoCdError) || e.status !== 401) throw e;
      // Expired or revoked session (Argo CD restarted with a new key…): log in again, once.
      if (state.session === session) state.session = undefined;
      const renewed = await this.sessionToken(state, signal);
      return this.call(state, { ...call, token: renewed }, signal);
    }
  }

  /** The current session token; logs in when there is none (concurrent callers share one login). */
  private sessionToken(
    state: InstanceState,
    signal: AbortSignal,
  ): Promise<string> {
    if (state.session) return Promise.resolve(state.session);
    if (!state.login) {
      const { username, password } = state.config;
      state.login = this.call(
        state,
        {
          method: 'POST',
          path: SESSION_PATH,
          body: { username, password },
        },
        signal,
      )
        .then(body => {
          const token = (body as any)?.token;
          if (typeof token !== 'string' || !token) {
            throw new ArgoCdError(
              `argocd ${state.config.name}: POST ${SESSION_PATH}: response has no token`,
            );
          }
          state.session = token;
          return token;
        })
        .finally(() => {
          state.login = undefined;
        });
    }
    return state.login;
  }

  /** One call with a timeout per try, retried with backoff on timeouts, network errors, 429 and 5xx. */
  private async call(
    state: InstanceState,
    call: CallOptions,
    signal: AbortSignal,
  ): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.callOnce(state, call, signal);
      } catch (e) {
        if (
          !(e instanceof RetryableError) ||
          attempt >= this.retry.attempts ||
          signal.aborted
        ) {
          throw e instanceof RetryableError ? e.error : e;
        }
        const wait = Math.min(
          Math.max(e.waitMs ?? 0, backoffMs(attempt - 1, this.retry)),
          this.retry.maxDelayMs,
        );
        this.options.logger.debug(`${e.error.message}; retrying in ${wait} ms`);
        await sleep(wait, signal);
        if (signal.aborted) throw new Aborted();
      }
    }
  }

  private async callOnce(
    state: InstanceState,
    call: CallOptions,
    signal: AbortSignal,
  ): Promise<unknown> {
    const { name, url } = state.config;
    const what = `argocd ${name}: ${
      call.label ?? `${call.method} ${call.path}`
    }`;
    const fail = (message: string, status?: number) =>
      new ArgoCdError(this.redact(state, message), status);
    const timeout = AbortSignal.timeout(this.options.requestTimeoutMs);
    const query = call.query?.toString();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (call.token) headers.authorization = `Bearer ${call.token}`;
    if (call.body !== undefined) headers['content-type'] = 'application/json';

    let response: Response;
    let text: string;
    try {
      response = await state.fetch(
        `${url}${call.path}${query ? `?${query}` : ''}`,
        {
          method: call.method,
          headers,
          body: call.body === undefined ? undefined : JSON.stringify(call.body),
          redirect: 'manual',
          signal: AbortSignal.any([signal, timeout]),
        },
      );
      text = await response.text();
    } catch (e) {
      if (signal.aborted) throw new Aborted();
      const reason = timeout.aborted
        ? `timed out after ${this.options.requestTimeoutMs} ms`
        : networkReason(e);
      const error = fail(`${what}: ${reason}`);
      if (
        call.idempotent === false &&
        (timeout.aborted || !NOT_SENT_CODES.has(errorCode(e) ?? ''))
      ) {
        throw error;
      }
      throw new RetryableError(error);
    }

    const status = response.status;
    if (status >= 200 && status < 300) {
      try {
        return JSON.parse(text);
      } catch (e) {
        throw fail(
          `${what}: invalid JSON response: ${(e as Error).message}`,
          status,
        );
      }
    }
    const phrase = response.statusText || STATUS_CODES[status] || '';
    const detail = serverReason(text);
    let message = `${what}: ${status}${phrase ? ` ${phrase}` : ''}${
      detail && detail !== phrase ? `: ${detail}` : ''
    }`;
    if (status >= 300 && status < 400) {
      message +=
        ' (redirects are not followed: is url the Argo CD API server?)';
    }
    const error = fail(message, status);
    const retryable =
      call.idempotent === false
        ? status === 429 || status === 503
        : status === 408 || status === 429 || (status >= 500 && status !== 501);
    if (retryable) {
      throw new RetryableError(
        error,
        retryAfterMs(response.headers.get('retry-after')),
      );
    }
    throw error;
  }

  private normalize(
    state: InstanceState,
    items: unknown[],
  ): { records: GitOpsRecord[]; rejected: string[] } {
    const { config, cluster } = state;
    const ctx: NormalizeContext = {
      // Only used when the record cannot be placed; an Application's cluster is its destination.
      cluster: cluster ?? config.name,
      source: 'argocd-api',
      observedAt: (this.options.now?.() ?? new Date()).toISOString(),
      resolveDestination: d =>
        this.options.clusters.resolveDestination(d, cluster),
      argocdInstance: config.name,
      argocdUrl: config.frontendUrl ?? config.url,
    };
    const records: GitOpsRecord[] = [];
    const rejected: string[] = [];
    for (const item of items) {
      const result = normalizeObject(item, ctx);
      if (result.ok) records.push(result.record);
      else rejected.push(result.error);
    }
    return { records, rejected };
  }

  /** Secrets never reach a message, whatever a server echoes back. */
  private redact(state: InstanceState, message: string): string {
    let out = message;
    for (const secret of [
      state.config.token,
      state.config.password,
      state.session,
    ]) {
      if (secret && secret.length >= 4) out = out.split(secret).join('***');
    }
    return out;
  }
}
