import { FleetClusterModel } from '../clusters';
import {
  KubeObject,
  ScenarioContext,
  SimObject,
  metadata,
  timeOf,
} from './model';
import { APPS_REPO, INITIAL_SETTLED_AT, appsSha, mod } from './timeline';

export const ARGOCD_NAMESPACE = 'argocd';

export interface ApplicationSpec {
  /** Cluster the Application deploys to. */
  target: FleetClusterModel;
  name: string;
  labels: Record<string, string>;
  project: string;
  destinationNamespace: string;
  /** Destination by spec.destination.name instead of .server. */
  destinationByName?: boolean;
  /** Single git source path in example-org/apps, or a Helm chart + $values ref (multi-source). */
  source:
    | { path: string }
    | {
        chart: string;
        chartRepo: string;
        chartVersion: string;
        valuesFile: string;
      };
  /** Deployment/Service name of the workload. */
  workload: string;
  image: (sha: string) => string;
  /** Drifts OutOfSync and self-heals every fourth commit (commit % 4 === 2). */
  drifts?: boolean;
}

export interface ApplicationState {
  phase: 'synced' | 'syncing' | 'drifted' | 'healing';
  commit: number;
  since: number;
  /** For 'synced': whether a self-heal sync for `commit` has completed. */
  healed?: boolean;
}

interface SyncEvent {
  id: number;
  commit: number;
  startedAt: number;
  finishedAt: number;
  heal: boolean;
}

export function application(
  ctx: ScenarioContext,
  spec: ApplicationSpec,
): SimObject<ApplicationState> {
  const tl = ctx.timeline;
  const j = spec.target.index;
  const multi = 'chart' in spec.source;
  const drifts = (k: number) => !!spec.drifts && k >= 1 && mod(k, 4) === 2;
  const syncStart = (k: number) =>
    k >= 1
      ? tl.clusterStart(k, j)
      : INITIAL_SETTLED_AT - tl.reconcile + k * tl.period;
  const syncEnd = (k: number) => syncStart(k) + tl.reconcile;
  const healStart = (k: number) => tl.clusterStart(k, j) + tl.healAt;
  // Self-heals before commit k, to number history ids consistently.
  const healsBefore = (k: number) =>
    spec.drifts && k >= 3 ? Math.floor((k - 3) / 4) + 1 : 0;
  const syncId = (k: number) => k + 10 + healsBefore(k);

  function events(s: ApplicationState): SyncEvent[] {
    const out: SyncEvent[] = [];
    const lastDone = s.phase === 'syncing' ? s.commit - 1 : s.commit;
    for (let k = lastDone - 10; k <= lastDone; k++) {
      if (syncId(k) < 0) continue;
      out.push({
        id: syncId(k),
        commit: k,
        startedAt: syncStart(k),
        finishedAt: syncEnd(k),
        heal: false,
      });
      const healDone =
        k < lastDone
          ? drifts(k)
          : drifts(k) && s.phase === 'synced' && !!s.healed;
      if (healDone) {
        out.push({
          id: syncId(k) + 1,
          commit: k,
          startedAt: healStart(k),
          finishedAt: healStart(k) + tl.reconcile,
          heal: true,
        });
      }
    }
    return out.slice(-10);
  }

  const destination = spec.destinationByName
    ? {
        name: spec.target.argocdDestinationName,
        namespace: spec.destinationNamespace,
      }
    : {
        namespace: spec.destinationNamespace,
        server: spec.target.argocdServerAlias,
      };

  const sources = (() => {
    if (!('chart' in spec.source)) return undefined;
    return [
      {
        chart: spec.source.chart,
        helm: { valueFiles: [`$values/${spec.source.valuesFile}`] },
        repoURL: spec.source.chartRepo,
        targetRevision: spec.source.chartVersion,
      },
      { ref: 'values', repoURL: APPS_REPO, targetRevision: 'main' },
    ];
  })();
  const source =
    'path' in spec.source
      ? { path: spec.source.path, repoURL: APPS_REPO, targetRevision: 'HEAD' }
      : undefined;
  const chartVersion = 'chart' in spec.source ? spec.source.chartVersion : '';
  const revisionFields = (k: number) =>
    multi
      ? { revisions: [chartVersion, appsSha(k)] }
      : { revision: appsSha(k) };
  const sourceFields = multi ? { sources } : { source };

  function resources(s: ApplicationState) {
    const deploymentSync = s.phase === 'synced' ? 'Synced' : 'OutOfSync';
    const deploymentHealth = s.phase === 'syncing' ? 'Progressing' : 'Healthy';
    return [
      {
        health: { status: 'Healthy' },
        kind: 'Service',
        name: spec.workload,
        namespace: spec.destinationNamespace,
        status: 'Synced',
        version: 'v1',
      },
      {
        group: 'apps',
        health: { status: deploymentHealth },
        kind: 'Deployment',
        name: spec.workload,
        namespace: spec.destinationNamespace,
        status: deploymentSync,
        version: 'v1',
      },
    ];
  }

  function operation(k: number) {
    return {
      initiatedBy: { automated: true },
      retry: { limit: 5 },
      sync: { ...revisionFields(k), syncStrategy: { hook: {} } },
    };
  }

  return {
    resource: 'argoproj.io/applications',
    namespace: ARGOCD_NAMESPACE,
    name: spec.name,
    labels: spec.labels,
    state(t): ApplicationState {
      const p = tl.progress(j, t, tl.argoWindow);
      if (p.running)
        return { phase: 'syncing', commit: p.commit, since: p.since };
      const c = p.commit;
      if (drifts(c)) {
        const s = tl.clusterStart(c, j);
        if (t >= s + tl.healAt + tl.reconcile)
          return {
            phase: 'synced',
            commit: c,
            since: s + tl.healAt + tl.reconcile,
            healed: true,
          };
        if (t >= s + tl.healAt)
          return { phase: 'healing', commit: c, since: s + tl.healAt };
        if (t >= s + tl.driftAt)
          return { phase: 'drifted', commit: c, since: s + tl.driftAt };
      }
      return { phase: 'synced', commit: c, since: p.since, healed: false };
    },
    render(s): KubeObject {
      const evts = events(s);
      const last = evts[evts.length - 1];
      const running = s.phase === 'syncing' || s.phase === 'healing';
      const sync = {
        comparedTo: { destination, ...sourceFields },
        ...revisionFields(s.commit),
        status: s.phase === 'synced' ? 'Synced' : 'OutOfSync',
      };
      const syncResources = resources({ ...s, phase: 'synced' }).map(r => ({
        group: r.group ?? '',
        hookPhase: 'Running',
        kind: r.kind,
        message: `${r.kind.toLowerCase()}${r.group ? `.${r.group}` : ''}/${
          r.name
        } serverside-applied`,
        name: r.name,
        namespace: r.namespace,
        status: 'Synced',
        syncPhase: 'Sync',
        version: r.version,
      }));
      const operationState = running
        ? {
            message: `waiting for healthy state of apps/Deployment/${spec.workload}`,
            operation: operation(s.commit),
            phase: 'Running',
            startedAt: timeOf(ctx, s.since),
          }
        : {
            finishedAt: timeOf(ctx, last.finishedAt),
            message: 'successfully synced (all tasks run)',
            operation: operation(last.commit),
            phase: 'Succeeded',
            startedAt: timeOf(ctx, last.startedAt),
            syncResult: multi
              ? {
                  resources: syncResources,
                  revision: '',
                  revisions: revisionFields(last.commit).revisions,
                  source: { repoURL: '' },
                  sources,
                }
              : {
                  resources: syncResources,
                  revision: appsSha(last.commit),
                  source,
                },
          };
      const health = s.phase === 'syncing' ? 'Progressing' : 'Healthy';
      return {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: metadata(
          ctx,
          spec.target,
          'Application',
          { name: spec.name, namespace: ARGOCD_NAMESPACE, labels: spec.labels },
          {
            // Argo CD bumps the generation when it sets and clears .operation.
            generation: 2 * last.id + (running ? 3 : 2),
            finalizers: ['resources-finalizer.argocd.argoproj.io'],
          },
        ),
        spec: {
          destination,
          project: spec.project,
          ...sourceFields,
          syncPolicy: {
            automated: { prune: true, selfHeal: true },
            syncOptions: ['CreateNamespace=true'],
          },
        },
        ...(running ? { operation: operation(s.commit) } : {}),
        status: {
          controllerNamespace: ARGOCD_NAMESPACE,
          health: {
            status: health,
            lastTransitionTime: timeOf(
              ctx,
              s.phase === 'syncing' ? s.since : syncEnd(s.commit),
            ),
          },
          history: evts.map(e => ({
            deployStartedAt: timeOf(ctx, e.startedAt),
            deployedAt: timeOf(ctx, e.finishedAt),
            id: e.id,
            initiatedBy: { automated: true },
            ...revisionFields(e.commit),
            ...sourceFields,
          })),
          operationState,
          reconciledAt: timeOf(ctx, s.since),
          resources: resources(s),
          ...(multi
            ? { sourceTypes: ['Helm', 'Directory'] }
            : { sourceType: 'Directory' }),
          summary: { images: [spec.image(appsSha(s.commit))] },
          sync,
        },
      };
    },
    describe: s => ({
      suspended: false,
      targetCluster: spec.target.name,
      sync: s.phase === 'synced' ? 'Synced' : 'OutOfSync',
      health: s.phase === 'syncing' ? 'Progressing' : 'Healthy',
      operationPhase:
        s.phase === 'syncing' || s.phase === 'healing'
          ? 'Running'
          : 'Succeeded',
      revision: appsSha(s.commit),
    }),
  };
}
