import type {
  AuditorService,
  AuthService,
  DatabaseService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { SignalsService } from '@backstage/plugin-signals-node';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { GitOpsSource } from '@gitops-status/plugin-gitops-node';
import { Collector } from '../collector/Collector';
import { ClusterDirectory, readClusters } from '../config/clusters';
import { readCollectionConfig } from '../config/collection';
import { KubernetesSource } from '../sources/kubernetes/KubernetesSource';
import { PrometheusSource, readPrometheusConfig } from '../sources/prometheus';
import { ArgoCdApiSource, readArgoCdInstances } from '../sources/argocd';
import { AzureResourceGraphSource, readAzureConfig } from '../sources/azure';
import { GitOpsStore } from '../store/GitOpsStore';
import {
  CircuitBreakers,
  readCircuitBreakerOptions,
} from '../sources/resilience';
import { createRouter } from './router';
import { createAlertEvaluator } from '../alerts';
import { notifyTransitions } from '../alerts/notify';
import {
  ExternalAlertStore,
  readExternalAlertEndpoints,
} from '../alerts/external';
import { readHistoryConfig } from '../history/config';
import { readActionsConfig } from '../actions/config';
import { GitOpsActions } from '../actions/GitOpsActions';
import { ActionRateLimiter } from '../actions/rateLimit';

/** Wires config, store, sources, the scheduled collector and the router together. */
export async function createGitOpsService(deps: {
  config: RootConfigService;
  logger: LoggerService;
  database: DatabaseService;
  scheduler: SchedulerService;
  httpAuth: HttpAuthService;
  auth: AuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  signals?: SignalsService;
  /** Present when alert transitions should notify the entities' owners. */
  notifications?: NotificationService;
  extraSources: GitOpsSource[];
  auditor: AuditorService;
}) {
  const { config, logger, scheduler } = deps;
  const clusters = new ClusterDirectory(readClusters(config));
  const collection = readCollectionConfig(config);
  const history = readHistoryConfig(config);
  const actionsConfig = readActionsConfig(config);
  const store = await GitOpsStore.create({ database: deps.database });

  // One circuit per source target, shared by every session.
  const breakers = new CircuitBreakers(
    readCircuitBreakerOptions(config),
    // Circuits are per replica; a success another replica recorded closes this one's.
    async id => (await store.getSourceHealth(id))?.lastSuccessAt,
  );
  const argocdInstances = readArgoCdInstances(config);
  const azure = readAzureConfig(config);
  const argocdApi = argocdInstances.length
    ? new ArgoCdApiSource({
        instances: argocdInstances,
        clusters,
        logger: logger.child({ source: 'argocd-api' }),
        requestTimeoutMs: collection.requestTimeoutMs,
        breakers,
      })
    : undefined;
  const sources: GitOpsSource[] = [
    new KubernetesSource({
      clusters,
      logger: logger.child({ source: 'kubernetes' }),
      requestTimeoutMs: collection.requestTimeoutMs,
      concurrency: collection.concurrency,
      breakers,
    }),
    ...(argocdApi ? [argocdApi] : []),
    ...(azure
      ? [
          new AzureResourceGraphSource({
            azure,
            clusters,
            logger: logger.child({ source: 'azure' }),
            requestTimeoutMs: collection.requestTimeoutMs,
            breakers,
          }),
        ]
      : []),
    ...readPrometheusConfig(config).map(
      prometheus =>
        new PrometheusSource({
          prometheus,
          clusters,
          logger: logger.child({ source: 'prometheus' }),
          requestTimeoutMs: collection.requestTimeoutMs,
          breakers,
        }),
    ),
    ...deps.extraSources,
  ];
  const alerting = await createAlertEvaluator({
    config,
    database: deps.database,
    store,
    clusters,
    logger: logger.child({ component: 'alerts' }),
  });
  const externalEndpoints = readExternalAlertEndpoints(config);
  // Created even without endpoints: it forgets the alerts of endpoints removed from config.
  const externalAlertStore = await ExternalAlertStore.create({
    database: deps.database,
    skipMigrations: true,
  });
  const collector = new Collector({
    sources,
    store,
    catalog: deps.catalog,
    auth: deps.auth,
    clusters,
    logger,
    signals: deps.signals,
    alerts: alerting?.evaluator,
    notify: deps.notifications
      ? transitions =>
          notifyTransitions(deps.notifications!, transitions, logger)
      : undefined,
    externalAlerts: {
      endpoints: externalEndpoints,
      store: externalAlertStore,
      requestTimeoutMs: collection.requestTimeoutMs,
      breakers,
    },
  });

  logger.info(
    `collecting GitOps status from ${clusters.clusters.length} clusters every ${collection.frequencyMs} ms (sessions of ${collection.sessionMs} ms)`,
  );
  // Global scope: with several replicas on one database only one collects at a time, and another
  // takes over when it dies. A session ends well before the task timeout.
  await scheduler.scheduleTask({
    id: 'gitops-collect',
    scope: 'global',
    frequency: { milliseconds: collection.frequencyMs },
    timeout: {
      milliseconds:
        collection.sessionMs + 2 * collection.requestTimeoutMs + 30_000,
    },
    fn: async abortSignal => {
      // A controller per session, unlinked from the scheduler's long-lived signal when the session
      // ends: AbortSignal.any() would keep every session's signal (and what hangs on it) alive.
      const session = new AbortController();
      const stop = () => session.abort();
      const timer = setTimeout(stop, collection.sessionMs);
      abortSignal.addEventListener('abort', stop, { once: true });
      try {
        await collector.runSession(session.signal);
      } finally {
        clearTimeout(timer);
        abortSignal.removeEventListener('abort', stop);
      }
    },
  });

  // History older than the retention goes; hourly is plenty for a limit counted in days.
  await scheduler.scheduleTask({
    id: 'gitops-history-retention',
    scope: 'global',
    frequency: { hours: 1 },
    timeout: { minutes: 10 },
    initialDelay: { minutes: 1 },
    fn: async () => {
      const deleted = await store.pruneHistory(
        new Date(Date.now() - history.retentionMs),
      );
      if (deleted) logger.info(`deleted ${deleted} history events`);
    },
  });

  return createRouter({
    httpAuth: deps.httpAuth,
    permissions: deps.permissions,
    catalog: deps.catalog,
    store,
    clusters,
    alerts: alerting?.alerts,
    // Without endpoints there is nothing to show: no query per page view.
    externalAlerts: externalEndpoints.length ? externalAlertStore : undefined,
    actions: actionsConfig.enabled
      ? {
          executor: new GitOpsActions({
            clusters,
            requestTimeoutMs: collection.requestTimeoutMs,
            argocdSync: argocdApi
              ? (instance, app, signal) =>
                  argocdApi.syncApplication(instance, app, signal)
              : undefined,
          }),
          limiter: new ActionRateLimiter(actionsConfig),
          auditor: deps.auditor,
        }
      : undefined,
    // A collection attempt is at most a task timeout apart from the next start: past that plus one
    // period, no replica is collecting.
    staleAfterMs:
      collection.frequencyMs +
      collection.sessionMs +
      2 * collection.requestTimeoutMs +
      30_000,
    historyRetentionDays: Math.round(history.retentionMs / 86_400_000),
  });
}
