import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  GitOpsSource,
  SourceSink,
} from '@gitops-status/plugin-gitops-node';
import type { ClusterDirectory } from '../../config/clusters';
import {
  CircuitBreakers,
  CircuitOpenError,
  circuitOpenMessage,
} from '../resilience';
import { PrometheusClient, type FetchLike, type VectorSample } from './client';
import type { PrometheusConfig } from './config';
import { QUERIES, recordsFromMetrics, type MetricsSnapshot } from './mapping';

export interface PrometheusSourceOptions {
  prometheus: PrometheusConfig;
  clusters: ClusterDirectory;
  logger: LoggerService;
  /** Timeout of one query attempt. */
  requestTimeoutMs: number;
  /** Replaces the built-in HTTP client (which honours caData / caFile / skipTLSVerify). */
  fetch?: FetchLike;
  /** Attempts per query (default 3) and the first backoff (default 500 ms, doubling, with jitter). */
  retry?: { attempts?: number; backoffMs?: number };
  /** The target's circuit (`prometheus:<name>`); shared with the other sources by the plugin. */
  breakers?: CircuitBreakers;
  now?: () => Date;
}

/**
 * Flux and Argo CD status from Prometheus metrics: a few instant queries per collection
 * (argocd_app_info, gotk_resource_info, gotk_reconcile_condition, gotk_suspend_status), mapped to
 * records and reported as one complete snapshot for the target `prometheus:<name>`. A polling
 * source: it reports once per session and returns.
 */
export class PrometheusSource implements GitOpsSource {
  readonly id: string;
  readonly type = 'prometheus' as const;
  /** The one target this source reports: `prometheus:<name>`. */
  readonly targetId: string;
  private readonly client: PrometheusClient;
  private readonly breakers: CircuitBreakers;

  constructor(private readonly options: PrometheusSourceOptions) {
    this.breakers = options.breakers ?? new CircuitBreakers();
    const { name } = options.prometheus;
    // Several instances need distinct source ids; the usual single one is plain `prometheus`.
    this.id = name === 'default' ? 'prometheus' : `prometheus-${name}`;
    this.targetId = `prometheus:${name}`;
    this.client = new PrometheusClient(options.prometheus, {
      requestTimeoutMs: options.requestTimeoutMs,
      fetch: options.fetch,
      attempts: options.retry?.attempts,
      backoffMs: options.retry?.backoffMs,
      onRetry: (message, attempt) =>
        options.logger.debug(`${message}; retrying (attempt ${attempt + 1})`),
    });
  }

  async collect({
    sink,
    signal,
  }: {
    sink: SourceSink;
    signal: AbortSignal;
  }): Promise<void> {
    const { prometheus, logger } = this.options;
    if (signal.aborted) return;
    const target = prometheus.name;
    let snapshot: MetricsSnapshot;
    try {
      snapshot = await this.breakers
        .breakerFor(this.targetId)
        .execute(() => this.querySnapshot(signal), signal);
    } catch (e) {
      if (signal.aborted) return; // the session ended: nothing to say about the target
      const message =
        e instanceof CircuitOpenError
          ? circuitOpenMessage(`prometheus ${target}`, e)
          : (e as Error).message;
      logger.warn(message);
      await sink.report({
        id: this.targetId,
        target,
        status: 'error',
        message,
      });
      return;
    }
    if (signal.aborted) return;

    const observedAt = (this.options.now?.() ?? new Date()).toISOString();
    const result = recordsFromMetrics(snapshot, {
      clusters: this.options.clusters,
      clusterLabel: prometheus.clusterLabel,
      defaultCluster: prometheus.defaultCluster,
      observedAt,
    });
    for (const skipped of result.skipped) {
      logger.warn(`prometheus ${target}: skipped ${skipped}`);
    }
    if (result.ignored) {
      logger.debug(
        `prometheus ${target}: ignored ${result.ignored} series of untracked kinds`,
      );
    }
    await sink.report({
      id: this.targetId,
      target,
      status: 'ok',
      // Shown with the source's health: series that could not be attributed are a config problem.
      message: result.skipped.length
        ? `skipped ${result.skipped.join('; ')}`
        : undefined,
      records: result.records,
    });
  }

  /**
   * The four queries, run together; the first failure cancels the others (the snapshot would be
   * incomplete anyway) and is what the collection fails with.
   */
  private async querySnapshot(signal: AbortSignal): Promise<MetricsSnapshot> {
    const keys = Object.keys(QUERIES) as Array<keyof typeof QUERIES>;
    const cancel = new AbortController();
    const querySignal = AbortSignal.any([signal, cancel.signal]);
    let failure: Error | undefined;
    const settled = await Promise.allSettled(
      keys.map(k =>
        this.client.query(QUERIES[k], metricName(k), querySignal).catch(e => {
          failure ??= e as Error;
          cancel.abort();
          throw e;
        }),
      ),
    );
    if (failure) throw failure;
    return Object.fromEntries(
      keys.map((k, i) => [
        k,
        (settled[i] as PromiseFulfilledResult<VectorSample[]>).value,
      ]),
    ) as MetricsSnapshot;
  }
}

/** The metric a query reads, for error messages. */
function metricName(key: keyof typeof QUERIES): string {
  return /^[a-z_:][a-z0-9_:]*/i.exec(QUERIES[key])![0];
}
