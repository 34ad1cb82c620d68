import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  GITOPS_SIGNAL_CHANNEL,
  SELECTING_ANNOTATIONS,
} from '@gitops-status/plugin-gitops-common';
import type { SignalsService } from '@backstage/plugin-signals-node';
import type {
  GitOpsSource,
  SourceSink,
  SourceTargetResult,
} from '@gitops-status/plugin-gitops-node';
import type { ClusterDirectory } from '../config/clusters';
import { RELATION_OWNED_BY, RELATION_PART_OF } from '@backstage/catalog-model';
import {
  EntityBinder,
  entityRefKey,
  parseEntitySelector,
} from '../binding/bindEntity';
import { mergeObservations } from '../merge/merge';
import type { GitOpsStore } from '../store/GitOpsStore';
import type { AlertEvaluator } from '../alerts';
import type { AlertTransition } from '../alerts/types';
import type { CircuitBreakers } from '../sources/resilience';
import {
  refreshExternalAlerts,
  type ExternalAlertEndpoint,
  type ExternalAlertStore,
} from '../alerts/external';

/** How often a session re-reads annotated entities (cheap: rebinding only happens when they changed). */
const BINDING_REFRESH_MS = 10_000;

/** At most one "records changed" signal per this many ms: pages refetch once per burst. */
const SIGNAL_THROTTLE_MS = 2_000;

/** How often alert rules are evaluated while a session runs (and once when it ends). */
const ALERT_EVALUATION_MS = 15_000;
/** Records bound again per page when the catalog's selectors change. */
const REBIND_PAGE = 500;

export interface CollectorOptions {
  sources: GitOpsSource[];
  store: GitOpsStore;
  catalog: CatalogService;
  auth: AuthService;
  clusters: ClusterDirectory;
  logger: LoggerService;
  /** Announces changes to open pages (Backstage signals), when available. */
  signals?: SignalsService;
  /** Evaluates the alert rules against the store; absent when alerts are off. */
  alerts?: Pick<AlertEvaluator, 'evaluate'>;
  /** Tells people about the transitions this backend recorded (notifications), when available. */
  notify?: (transitions: AlertTransition[]) => Promise<unknown>;
  /** Prometheus / Alertmanager endpoints whose firing alerts are attached to records. */
  externalAlerts?: {
    endpoints: ExternalAlertEndpoint[];
    store: ExternalAlertStore;
    requestTimeoutMs: number;
    breakers?: CircuitBreakers;
  };
  now?: () => Date;
}

/**
 * Runs every source for one session, merges what they report into the store and binds changed
 * records to catalog entities. Only what changed is written.
 */
export class Collector {
  private binder?: EntityBinder;
  private signalTimer?: NodeJS.Timeout;

  /** Tells open pages that records changed; bursts of changes give one signal. */
  private announceChange() {
    const { signals, logger } = this.options;
    if (!signals || this.signalTimer) return;
    this.signalTimer = setTimeout(() => {
      this.signalTimer = undefined;
      signals
        .publish({
          recipients: { type: 'broadcast' },
          channel: GITOPS_SIGNAL_CHANNEL,
          message: { at: this.now() },
        })
        .catch(e => logger.debug(`could not publish a signal: ${e}`));
    }, SIGNAL_THROTTLE_MS);
    this.signalTimer.unref?.();
  }
  private selectorsKey?: string;

  constructor(private readonly options: CollectorOptions) {}

  private now() {
    return (this.options.now?.() ?? new Date()).toISOString();
  }

  /** Runs the alert rules; a failure is logged, never thrown. */
  async evaluateAlerts(): Promise<void> {
    const { alerts, notify, logger } = this.options;
    if (!alerts) return;
    try {
      // Of several replicas, only the one that recorded a transition gets it back: one notice each.
      const transitions = await alerts.evaluate();
      if (notify && transitions.length) await notify(transitions);
    } catch (e) {
      logger.warn(`could not evaluate alerts: ${e}`);
    }
  }

  private refreshingExternal = false;

  /**
   * Reads the external alert endpoints and stores what matches records; with none configured it
   * only forgets the alerts of endpoints removed from config. Logged, never thrown.
   */
  async refreshExternalAlerts(signal: AbortSignal): Promise<void> {
    const { externalAlerts, store, clusters, logger } = this.options;
    if (!externalAlerts || this.refreshingExternal || signal.aborted) return;
    this.refreshingExternal = true;
    try {
      const { endpoints } = externalAlerts;
      const results = await refreshExternalAlerts({
        endpoints,
        // Matching reads identities only: no record JSON is parsed here.
        records: endpoints.length ? await store.listRecordIdentities() : [],
        clusters,
        store: externalAlerts.store,
        signal,
        logger,
        timeoutMs: externalAlerts.requestTimeoutMs,
        breakers: externalAlerts.breakers,
      });
      const at = this.now();
      for (const r of results) {
        const endpoint = endpoints.find(e => e.name === r.endpoint)!;
        const id = `alerts-${endpoint.type}:${r.endpoint}`;
        const previous = await store.getSourceHealth(id);
        await store.setSourceHealth({
          id,
          type: `alerts-${endpoint.type}`,
          target: r.endpoint,
          status: r.status,
          message: r.status === 'error' ? r.message : undefined,
          lastSuccessAt: r.status === 'ok' ? at : previous?.lastSuccessAt,
          lastAttemptAt: at,
        });
      }
    } catch (e) {
      logger.warn(`could not refresh external alerts: ${e}`);
    } finally {
      this.refreshingExternal = false;
    }
  }

  /** Re-reads annotated entities; when the set of selectors changed, rebinds every record. */
  async refreshBindings(): Promise<void> {
    const { catalog, auth, store, clusters } = this.options;
    const { items } = await catalog.getEntities(
      {
        filter: [
          ...SELECTING_ANNOTATIONS.map(a => ({
            [`metadata.annotations.${a}`]: CATALOG_FILTER_EXISTS,
          })),
        ],
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.annotations',
          'relations',
        ],
      },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    const selectors = items.map(e => parseEntitySelector(e, clusters));
    // Owner and system as the catalog resolved them (relations), for the deployments view.
    await store.replaceEntities(
      items.map(e => ({
        entityRef: entityRefKey(e),
        owner: e.relations
          ?.find(r => r.type === RELATION_OWNED_BY)
          ?.targetRef.toLocaleLowerCase('en-US'),
        system: e.relations
          ?.find(
            r =>
              r.type === RELATION_PART_OF && r.targetRef.startsWith('system:'),
          )
          ?.targetRef.toLocaleLowerCase('en-US'),
      })),
    );
    const key = JSON.stringify(selectors);
    if (key === this.selectorsKey && this.binder) return;
    // Reports from now on bind with the new selectors; every stored record is bound again, a
    // page at a time (a catalog edit must not parse the whole store at once). Remembered only
    // once done, so a failed rebind is tried again at the next refresh.
    const binder = new EntityBinder(selectors);
    this.binder = binder;
    const ids = (await store.listRecordHashes()).map(r => r.id);
    for (let i = 0; i < ids.length; i += REBIND_PAGE) {
      const bindings = new Map<string, string[]>();
      for (const { id, record } of await store.listRecordsById(
        ids.slice(i, i + REBIND_PAGE),
      )) {
        bindings.set(id, binder.bind(record));
      }
      await store.setBindings(bindings);
    }
    this.selectorsKey = key;
  }

  readonly sink: SourceSink = {
    report: async (result: SourceTargetResult) => {
      const { store, logger } = this.options;
      const at = this.now();
      const previous = await store.getSourceHealth(result.id);
      const sourceType = result.id.split(':')[0];
      if (result.status === 'error' || !result.records) {
        await store.setSourceHealth({
          id: result.id,
          type: sourceType,
          target: result.target,
          status: 'error',
          message: result.message ?? 'failed',
          lastSuccessAt: previous?.lastSuccessAt,
          lastAttemptAt: at,
          skippedKinds: result.skippedKinds,
        });
        return;
      }
      const binder = this.binder;
      const { changed, removed, writes } = await store.applyTargetSnapshot(
        result.id,
        result.records,
        mergeObservations,
        this.options.now?.() ?? new Date(),
        binder && (r => binder.bind(r)),
      );
      if (changed.length || removed.length) this.announceChange();
      await store.setSourceHealth({
        id: result.id,
        type: sourceType,
        target: result.target,
        status: 'ok',
        message: result.message,
        lastSuccessAt: at,
        lastAttemptAt: at,
        skippedKinds: result.skippedKinds,
      });
      if (writes)
        logger.debug(
          `${result.id}: ${changed.length} records changed, ${writes} rows written`,
        );
    },
  };

  /** One collection session: every source runs until `signal` aborts (or returns earlier). */
  async runSession(signal: AbortSignal): Promise<void> {
    const { sources, logger } = this.options;
    try {
      await this.refreshBindings();
    } catch (e) {
      logger.warn(`could not read the catalog to bind entities: ${e}`);
    }
    const refresh = setInterval(() => {
      this.refreshBindings().catch(e =>
        logger.warn(`could not refresh entity bindings: ${e}`),
      );
    }, BINDING_REFRESH_MS);
    void this.refreshExternalAlerts(signal);
    const evaluation = setInterval(() => {
      void this.evaluateAlerts();
      void this.refreshExternalAlerts(signal);
    }, ALERT_EVALUATION_MS);
    try {
      await Promise.all(
        sources.map(source =>
          source.collect({ sink: this.sink, signal }).catch(e => {
            // One source failing never stops the others.
            logger.error(`source ${source.id} failed: ${e}`);
          }),
        ),
      );
    } finally {
      clearInterval(refresh);
      clearInterval(evaluation);
    }
    await this.evaluateAlerts();
  }
}
