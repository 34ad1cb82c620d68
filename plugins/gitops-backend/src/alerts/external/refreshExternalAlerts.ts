import type { LoggerService } from '@backstage/backend-plugin-api';
import type { ExternalAlert } from '@gitops-status/plugin-gitops-common';
import type { ClusterDirectory } from '../../config/clusters';
import type { FetchLike } from '../../sources/prometheus/client';
import type { ExternalAlertStore } from '../../store/ExternalAlertStore';
import { ExternalAlertsError, fetchActiveAlerts } from './client';
import {
  backoffMs,
  CircuitOpenError,
  circuitOpenMessage,
  DEFAULT_RETRY,
  sleep,
  type CircuitBreakers,
} from '../../sources/resilience';
import type { ExternalAlertEndpoint } from './config';
import { toExternalAlert } from './externalAlert';
import { RecordMatcher, type MatchableRecord } from './matchRecords';

/** What one endpoint's refresh did. */
export type ExternalAlertsRefreshResult =
  | {
      endpoint: string;
      status: 'ok';
      /** Firing (Prometheus) or active (Alertmanager) alerts the endpoint reported. */
      alerts: number;
      /** Of those, the ones naming at least one record: the endpoint's new snapshot. */
      matched: number;
      /** Rows the snapshot wrote (0 when nothing changed). */
      writes: number;
    }
  | {
      endpoint: string;
      status: 'error';
      /** Names the endpoint and what went wrong; never a credential. The last snapshot is kept. */
      message: string;
    };

export interface RefreshExternalAlertsOptions {
  endpoints: ExternalAlertEndpoint[];
  /** Every current record (what alerts are matched against); identities are enough. */
  records: MatchableRecord[];
  clusters: ClusterDirectory;
  store: Pick<ExternalAlertStore, 'replaceEndpoint' | 'retainEndpoints'>;
  signal: AbortSignal;
  logger: LoggerService;
  fetch?: FetchLike;
  /** Per endpoint request. Default 10 s. */
  timeoutMs?: number;
  /** A circuit per endpoint (`alerts-<type>:<name>`), shared with the sources. */
  breakers?: CircuitBreakers;
}

/**
 * Reads the alerts of every endpoint at once, matches them to records and stores each endpoint's
 * snapshot of matching alerts. Endpoints are independent: one failing or slow never hides the
 * others, and a failed one keeps its last snapshot. Snapshots of endpoints no longer configured are
 * deleted.
 */
export async function refreshExternalAlerts(
  options: RefreshExternalAlertsOptions,
): Promise<ExternalAlertsRefreshResult[]> {
  const { endpoints, clusters, store, signal, logger } = options;
  const matcher = new RecordMatcher(options.records, clusters);

  const refreshOne = async (
    endpoint: ExternalAlertEndpoint,
  ): Promise<ExternalAlertsRefreshResult> => {
    // Timeouts, network errors, 429 and 5xx are tried again with backoff and jitter.
    const fetchWithRetries = async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await fetchActiveAlerts(endpoint, {
            signal,
            timeoutMs: options.timeoutMs,
            fetch: options.fetch,
          });
        } catch (e) {
          const retryable = e instanceof ExternalAlertsError && e.retryable;
          if (!retryable || attempt >= DEFAULT_RETRY.attempts || signal.aborted)
            throw e;
          await sleep(backoffMs(attempt - 1, DEFAULT_RETRY), signal);
        }
      }
    };
    try {
      const breaker = options.breakers?.breakerFor(
        `alerts-${endpoint.type}:${endpoint.name}`,
      );
      const fetched = breaker
        ? await breaker.execute(fetchWithRetries, signal)
        : await fetchWithRetries();
      const alerts: ExternalAlert[] = [];
      for (const f of fetched) {
        const recordIds = matcher.match(f.labels, endpoint.cluster);
        if (recordIds.length) {
          alerts.push(toExternalAlert(f, endpoint, recordIds));
        }
      }
      const writes = await store.replaceEndpoint(endpoint.name, alerts);
      if (writes) {
        logger.debug(
          `external alerts ${endpoint.name}: ${alerts.length} of ${fetched.length} alerts name records, ${writes} rows written`,
        );
      }
      return {
        endpoint: endpoint.name,
        status: 'ok',
        alerts: fetched.length,
        matched: alerts.length,
        writes,
      };
    } catch (e) {
      // Client errors name the endpoint already; others (the store) do not.
      let message: string;
      if (e instanceof CircuitOpenError) {
        message = circuitOpenMessage(`${endpoint.type} ${endpoint.name}`, e);
      } else if (e instanceof ExternalAlertsError) {
        message = e.message;
      } else {
        message = `${endpoint.type} ${endpoint.name}: ${e}`;
      }
      logger.warn(`could not refresh external alerts: ${message}`);
      return { endpoint: endpoint.name, status: 'error', message };
    }
  };

  const results = await Promise.all(endpoints.map(refreshOne));
  try {
    await store.retainEndpoints(endpoints.map(e => e.name));
  } catch (e) {
    logger.warn(`could not delete alerts of removed endpoints: ${e}`);
  }
  return results;
}
