import { FleetClusterModel } from '../clusters';
import {
  Condition,
  KubeObject,
  ScenarioContext,
  SimObject,
  condition,
  metadata,
  timeOf,
} from './model';
import {
  BRANCH,
  CREATED_AT,
  FLEET_REPO,
  INITIAL_SETTLED_AT,
  Timeline,
  Window,
  fleetSha,
  fluxRevision,
  sha256,
} from './timeline';

/** What reconciling a given commit ends in, for one object. */
export type Outcome =
  | { ok: true }
  | { ok: false; blocked?: boolean; reason: string; message: string };
export const OK: Outcome = { ok: true };
export type OutcomeFn = (commit: number) => Outcome;
const alwaysOk: OutcomeFn = () => OK;

export interface ReconcileState {
  phase: 'ready' | 'reconciling' | 'failed' | 'blocked';
  /** Commit the spec comes from / is being attempted. */
  commit: number;
  applied: number;
  attempted: number;
  since: number;
  reason?: string;
  message?: string;
  stalled?: boolean;
  stalledSince?: number;
}

const HISTORY_DEPTH = 50;

function lastOk(outcome: OutcomeFn, n: number): number {
  for (let k = n; k > n - HISTORY_DEPTH; k--) if (outcome(k).ok) return k;
  return n - HISTORY_DEPTH;
}

function lastAttempted(outcome: OutcomeFn, n: number): number {
  for (let k = n; k > n - HISTORY_DEPTH; k--) {
    const o = outcome(k);
    if (o.ok || !o.blocked) return k;
  }
  return n - HISTORY_DEPTH;
}

/** The reconcile state machine shared by Kustomizations and HelmReleases. */
export function reconcileState(
  tl: Timeline,
  clusterIndex: number,
  t: number,
  window: Window,
  outcome: OutcomeFn,
  stallAfter?: number,
): ReconcileState {
  const p = tl.progress(clusterIndex, t, window);
  const c = p.commit;
  const o = outcome(c);
  if (!o.ok && o.blocked) {
    // Blocked objects are not attempted at all: revisions stay where they were.
    return {
      phase: 'blocked',
      commit: c,
      applied: lastOk(outcome, c - 1),
      attempted: lastAttempted(outcome, c - 1),
      since: p.startedAt,
      reason: o.reason,
      message: o.message,
    };
  }
  if (p.running) {
    return {
      phase: 'reconciling',
      commit: c,
      applied: lastOk(outcome, c - 1),
      attempted: c,
      since: p.since,
    };
  }
  if (o.ok)
    return {
      phase: 'ready',
      commit: c,
      applied: c,
      attempted: c,
      since: p.since,
    };
  const stalled = stallAfter !== undefined && t >= p.since + stallAfter;
  return {
    phase: 'failed',
    commit: c,
    applied: lastOk(outcome, c - 1),
    attempted: c,
    since: p.since,
    reason: o.reason,
    message: o.message,
    ...(stalled ? { stalled, stalledSince: p.since + stallAfter! } : {}),
  };
}

const READY_STATUS = {
  ready: 'True',
  reconciling: 'Unknown',
  failed: 'False',
  blocked: 'False',
} as const;
const readyStatus = (s: ReconcileState) => READY_STATUS[s.phase];

/** Reason of the Ready condition for a state, given the reason a success has. */
function readyReason(s: ReconcileState, success: string): string | undefined {
  if (s.phase === 'ready') return success;
  if (s.phase === 'reconciling') return 'Progressing';
  return s.reason;
}

const FLUX_SYSTEM_LABELS = {
  'kustomize.toolkit.fluxcd.io/name': 'flux-system',
  'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
};
export const managedBy = (name: string, namespace: string) => ({
  'kustomize.toolkit.fluxcd.io/name': name,
  'kustomize.toolkit.fluxcd.io/namespace': namespace,
});
export { FLUX_SYSTEM_LABELS };

// ---------------------------------------------------------------- Kustomization

export interface KustomizationSpec {
  cluster: FleetClusterModel;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  path: string;
  window: Window;
  outcome?: OutcomeFn;
  dependsOn?: Array<{ name: string; namespace?: string }>;
  /** true: spec.suspend and a frozen, stale status. false/undefined: as given. */
  suspend?: boolean;
  wait?: boolean;
  targetNamespace?: string;
  inventory?: Array<{ id: string; v: string }>;
}

export function kustomization(
  ctx: ScenarioContext,
  spec: KustomizationSpec,
): SimObject<ReconcileState> {
  const tl = ctx.timeline;
  const outcome = spec.outcome ?? alwaysOk;
  // A suspended Kustomization keeps the status it had when it was suspended, weeks ago.
  const frozen: ReconcileState = {
    phase: 'ready',
    commit: -40,
    applied: -40,
    attempted: -40,
    since: -21 * 24 * 3600_000,
  };
  return {
    resource: 'kustomize.toolkit.fluxcd.io/kustomizations',
    namespace: spec.namespace,
    name: spec.name,
    labels: spec.labels,
    state: t =>
      spec.suspend
        ? frozen
        : reconcileState(tl, spec.cluster.index, t, spec.window, outcome),
    render(s): KubeObject {
      const conditions: Condition[] = [];
      if (s.phase === 'ready') {
        conditions.push(
          condition(
            ctx,
            'Ready',
            'True',
            'ReconciliationSucceeded',
            `Applied revision: ${fluxRevision(s.applied)}`,
            s.since,
            1,
          ),
        );
      } else if (s.phase === 'reconciling') {
        conditions.push(
          condition(
            ctx,
            'Reconciling',
            'True',
            'Progressing',
            `Detecting drift for revision ${fluxRevision(
              s.attempted,
            )} with a timeout of 5m0s`,
            s.since,
            1,
          ),
          condition(
            ctx,
            'Ready',
            'Unknown',
            'Progressing',
            'Reconciliation in progress',
            s.since,
            1,
          ),
        );
      } else {
        conditions.push(
          condition(ctx, 'Ready', 'False', s.reason!, s.message!, s.since, 1),
        );
        if (s.reason === 'HealthCheckFailed') {
          conditions.push(
            condition(
              ctx,
              'Healthy',
              'False',
              s.reason,
              s.message!,
              s.since,
              1,
            ),
          );
        }
      }
      return {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: metadata(ctx, spec.cluster, 'Kustomization', spec, {
          finalizers: ['finalizers.fluxcd.io'],
        }),
        spec: {
          ...(spec.dependsOn ? { dependsOn: spec.dependsOn } : {}),
          force: false,
          interval: '10m0s',
          path: spec.path,
          prune: true,
          sourceRef: {
            kind: 'GitRepository',
            name: 'flux-system',
            namespace: 'flux-system',
          },
          ...(spec.suspend !== undefined ? { suspend: spec.suspend } : {}),
          ...(spec.targetNamespace
            ? { targetNamespace: spec.targetNamespace }
            : {}),
          timeout: '5m0s',
          ...(spec.wait ? { wait: true } : {}),
        },
        status: {
          conditions,
          ...(spec.inventory ? { inventory: { entries: spec.inventory } } : {}),
          lastAppliedRevision: fluxRevision(s.applied),
          lastAttemptedRevision: fluxRevision(s.attempted),
          observedGeneration: 1,
        },
      };
    },
    describe: s => ({
      suspended: !!spec.suspend,
      ready: readyStatus(s),
      reason: readyReason(s, 'ReconciliationSucceeded'),
      reconciling: s.phase === 'reconciling',
      stalled: false,
      appliedRevision: fluxRevision(s.applied),
      attemptedRevision: fluxRevision(s.attempted),
      appliedCommit: s.applied,
    }),
  };
}

// ---------------------------------------------------------------- HelmRelease

export interface HelmReleaseSpec {
  cluster: FleetClusterModel;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  chart: string;
  /** spec.chart.spec.version (semver range) */
  versionRange: string;
  /** Chart version it resolves to. */
  chartVersion: string;
  appVersion: string;
  helmRepository: string;
  helmChart: string;
  window: Window;
  outcome?: OutcomeFn;
  suspend?: boolean;
}

/** Helm release number of the upgrade for commit k (releases 1..3 predate the scenario). */
const releaseVersion = (k: number) => k + 3;

export function helmRelease(
  ctx: ScenarioContext,
  spec: HelmReleaseSpec,
): SimObject<ReconcileState> {
  const tl = ctx.timeline;
  const outcome = spec.outcome ?? alwaysOk;
  const i = spec.cluster.index;
  const attemptAt = (k: number) =>
    k >= 1
      ? tl.clusterStart(k, i) + spec.window.from
      : INITIAL_SETTLED_AT + k * tl.period;
  const configDigest = (k: number) =>
    `sha256:${sha256(`${spec.namespace}/${spec.name}#config#${k}`)}`;
  const releaseMessage = (k: number) =>
    `Helm upgrade succeeded for release ${spec.namespace}/${
      spec.name
    }.v${releaseVersion(k)} with chart ${spec.chart}@${spec.chartVersion}`;

  function history(s: ReconcileState) {
    const historyStatus = (k: number) => {
      if (k === s.applied) return 'deployed';
      return outcome(k).ok ? 'superseded' : 'failed';
    };
    const top = s.phase === 'reconciling' ? s.attempted - 1 : s.attempted;
    const entries = [];
    for (let k = top; k > top - 5 && releaseVersion(k) >= 1; k--) {
      entries.push({
        appVersion: spec.appVersion,
        chartName: spec.chart,
        chartVersion: spec.chartVersion,
        configDigest: configDigest(k),
        digest: `sha256:${sha256(
          `${spec.namespace}/${spec.name}#release#${k}`,
        )}`,
        firstDeployed: timeOf(ctx, CREATED_AT + 60_000),
        lastDeployed: timeOf(ctx, attemptAt(k)),
        name: spec.name,
        namespace: spec.namespace,
        status: historyStatus(k),
        version: releaseVersion(k),
      });
    }
    return entries;
  }

  return {
    resource: 'helm.toolkit.fluxcd.io/helmreleases',
    namespace: spec.namespace,
    name: spec.name,
    labels: spec.labels,
    state: t => reconcileState(tl, i, t, spec.window, outcome, tl.stallAfter),
    render(s): KubeObject {
      // Every commit changes the values (pod annotation), so the generation follows the commit.
      const generation = s.commit + 3;
      const conditions: Condition[] = [];
      if (s.phase === 'ready') {
        const msg = releaseMessage(s.applied);
        conditions.push(
          condition(
            ctx,
            'Ready',
            'True',
            'UpgradeSucceeded',
            msg,
            s.since,
            generation,
          ),
          condition(
            ctx,
            'Released',
            'True',
            'UpgradeSucceeded',
            msg,
            s.since,
            generation,
          ),
        );
      } else if (s.phase === 'reconciling') {
        const msg = "Running 'upgrade' action with timeout of 5m0s";
        conditions.push(
          condition(
            ctx,
            'Reconciling',
            'True',
            'Progressing',
            msg,
            s.since,
            generation,
          ),
          condition(
            ctx,
            'Ready',
            'Unknown',
            'Progressing',
            msg,
            s.since,
            generation,
          ),
          condition(
            ctx,
            'Released',
            'True',
            'UpgradeSucceeded',
            releaseMessage(s.applied),
            attemptAt(s.applied),
            generation - 1,
          ),
        );
      } else {
        if (s.stalled) {
          conditions.push(
            condition(
              ctx,
              'Stalled',
              'True',
              'RetriesExceeded',
              'Failed to upgrade after 4 attempt(s)',
              s.stalledSince!,
              generation,
            ),
          );
        } else {
          conditions.push(
            condition(
              ctx,
              'Reconciling',
              'True',
              'ProgressingWithRetry',
              s.message!,
              s.since,
              generation,
            ),
          );
        }
        conditions.push(
          condition(
            ctx,
            'Ready',
            'False',
            s.reason!,
            s.message!,
            s.since,
            generation,
          ),
          condition(
            ctx,
            'Released',
            'False',
            s.reason!,
            s.message!,
            s.since,
            generation,
          ),
        );
      }
      // helm-controller counts attempts; a stalled release used all 1 + 3 retries.
      let failures: number | undefined;
      if (s.phase === 'failed') failures = s.stalled ? 4 : 1;
      return {
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        metadata: metadata(ctx, spec.cluster, 'HelmRelease', spec, {
          generation,
          finalizers: ['finalizers.fluxcd.io'],
        }),
        spec: {
          chart: {
            spec: {
              chart: spec.chart,
              interval: '10m0s',
              reconcileStrategy: 'ChartVersion',
              sourceRef: {
                kind: 'HelmRepository',
                name: spec.helmRepository,
                namespace: 'flux-system',
              },
              version: spec.versionRange,
            },
          },
          install: { remediation: { retries: 3 } },
          interval: '10m0s',
          releaseName: spec.name,
          ...(spec.suspend !== undefined ? { suspend: spec.suspend } : {}),
          timeout: '5m0s',
          upgrade: { remediation: { retries: 3 } },
          values: {
            podAnnotations: {
              'fleet.example.com/commit': fleetSha(s.commit).slice(0, 7),
            },
          },
        },
        status: {
          conditions,
          ...(failures ? { failures, upgradeFailures: failures } : {}),
          helmChart: `flux-system/${spec.helmChart}`,
          history: history(s),
          lastAttemptedConfigDigest: configDigest(s.attempted),
          lastAttemptedGeneration: generation,
          lastAttemptedReleaseAction: 'upgrade',
          lastAttemptedRevision: spec.chartVersion,
          observedGeneration:
            s.phase === 'reconciling' ? generation - 1 : generation,
          storageNamespace: spec.namespace,
        },
      };
    },
    describe: s => ({
      suspended: !!spec.suspend,
      ready: readyStatus(s),
      reason: readyReason(s, 'UpgradeSucceeded'),
      reconciling:
        s.phase === 'reconciling' || (s.phase === 'failed' && !s.stalled),
      stalled: !!s.stalled,
      appliedRevision: spec.chartVersion,
      attemptedRevision: spec.chartVersion,
      appliedCommit: s.applied,
      releaseVersion: releaseVersion(
        s.phase === 'reconciling' ? s.attempted - 1 : s.attempted,
      ),
    }),
  };
}

// ---------------------------------------------------------------- GitRepository

interface GitRepositoryState {
  phase: 'ready' | 'reconciling';
  artifact: number;
  fetching?: number;
  since: number;
  requestedAt?: number;
}

export function gitRepository(
  ctx: ScenarioContext,
  cluster: FleetClusterModel,
): SimObject<GitRepositoryState> {
  const tl = ctx.timeline;
  const name = 'flux-system';
  const namespace = 'flux-system';
  const labels = FLUX_SYSTEM_LABELS;
  const artifact = (n: number, since: number) => {
    const sha = fleetSha(n);
    const path = `gitrepository/${namespace}/${name}/${sha}.tar.gz`;
    return {
      digest: `sha256:${sha256(`artifact#${sha}`)}`,
      lastUpdateTime: timeOf(ctx, since),
      path,
      revision: fluxRevision(n),
      size: 91_318 + (Math.abs(n) % 97) * 13,
      url: `http://source-controller.flux-system.svc.cluster.local./${path}`,
    };
  };
  const artifactSince = (n: number) =>
    n >= 1
      ? tl.clusterStart(n, cluster.index) + tl.sourceWindow.to
      : INITIAL_SETTLED_AT;
  return {
    resource: 'source.toolkit.fluxcd.io/gitrepositories',
    namespace,
    name,
    labels,
    state(t) {
      const p = tl.progress(cluster.index, t, tl.sourceWindow);
      // A webhook Receiver asks for a reconcile as soon as the commit reaches the cluster.
      const requestedAt =
        p.commit >= 1 ? tl.clusterStart(p.commit, cluster.index) : undefined;
      return p.running
        ? {
            phase: 'reconciling',
            artifact: p.commit - 1,
            fetching: p.commit,
            since: p.since,
            requestedAt,
          }
        : { phase: 'ready', artifact: p.commit, since: p.since, requestedAt };
    },
    render(s): KubeObject {
      const stored = `stored artifact for revision '${fluxRevision(
        s.artifact,
      )}'`;
      const conditions =
        s.phase === 'ready'
          ? [
              condition(ctx, 'Ready', 'True', 'Succeeded', stored, s.since, 1),
              condition(
                ctx,
                'ArtifactInStorage',
                'True',
                'Succeeded',
                stored,
                s.since,
                1,
              ),
            ]
          : [
              condition(
                ctx,
                'Reconciling',
                'True',
                'NewRevision',
                `new upstream revision '${fluxRevision(s.fetching!)}'`,
                s.since,
                1,
              ),
              condition(
                ctx,
                'Ready',
                'Unknown',
                'Progressing',
                `building artifact: new upstream revision '${fluxRevision(
                  s.fetching!,
                )}'`,
                s.since,
                1,
              ),
              condition(
                ctx,
                'ArtifactInStorage',
                'True',
                'Succeeded',
                stored,
                artifactSince(s.artifact),
                1,
              ),
            ];
      const requested =
        s.requestedAt !== undefined ? timeOf(ctx, s.requestedAt) : undefined;
      return {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'GitRepository',
        metadata: metadata(
          ctx,
          cluster,
          'GitRepository',
          { name, namespace, labels },
          {
            finalizers: ['finalizers.fluxcd.io'],
            ...(requested
              ? {
                  annotations: { 'reconcile.fluxcd.io/requestedAt': requested },
                }
              : {}),
          },
        ),
        spec: {
          interval: '1m0s',
          ref: { branch: BRANCH },
          secretRef: { name: 'flux-system' },
          timeout: '60s',
          url: FLEET_REPO,
        },
        status: {
          artifact: artifact(s.artifact, artifactSince(s.artifact)),
          conditions,
          ...(requested && s.phase === 'ready'
            ? { lastHandledReconcileAt: requested }
            : {}),
          observedGeneration: 1,
        },
      };
    },
    describe: s => ({
      suspended: false,
      ready: s.phase === 'ready' ? 'True' : 'Unknown',
      reason: s.phase === 'ready' ? 'Succeeded' : 'Progressing',
      reconciling: s.phase === 'reconciling',
      stalled: false,
      appliedRevision: fluxRevision(s.artifact),
      appliedCommit: s.artifact,
    }),
  };
}

// ---------------------------------------------------------------- static sources

export interface StaticSourceSpec {
  cluster: FleetClusterModel;
  kind: 'OCIRepository' | 'HelmRepository' | 'HelmChart' | 'Bucket';
  name: string;
  spec: Record<string, unknown>;
  revision: string;
  artifactPath: string;
  readyReason?: string;
  readyMessage?: string;
  extraStatus?: Record<string, unknown>;
}

const PLURALS: Record<StaticSourceSpec['kind'], string> = {
  OCIRepository: 'ocirepositories',
  HelmRepository: 'helmrepositories',
  HelmChart: 'helmcharts',
  Bucket: 'buckets',
};

/** Sources that do not change during the scenario (always Ready). */
export function staticSource(
  ctx: ScenarioContext,
  src: StaticSourceSpec,
): SimObject<number> {
  const namespace = 'flux-system';
  const since = INITIAL_SETTLED_AT - 3600_000;
  const labels = FLUX_SYSTEM_LABELS;
  return {
    resource: `source.toolkit.fluxcd.io/${PLURALS[src.kind]}`,
    namespace,
    name: src.name,
    labels,
    state: () => 0,
    render(): KubeObject {
      const message =
        src.readyMessage ?? `stored artifact for revision '${src.revision}'`;
      const reason = src.readyReason ?? 'Succeeded';
      return {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: src.kind,
        metadata: metadata(
          ctx,
          src.cluster,
          src.kind,
          { name: src.name, namespace, labels },
          { finalizers: ['finalizers.fluxcd.io'] },
        ),
        spec: src.spec,
        status: {
          artifact: {
            digest: `sha256:${sha256(
              `${src.kind}/${src.name}#${src.revision}`,
            )}`,
            lastUpdateTime: timeOf(ctx, since),
            path: src.artifactPath,
            revision: src.revision,
            size: 14_166 + src.name.length * 101,
            url: `http://source-controller.flux-system.svc.cluster.local./${src.artifactPath}`,
          },
          conditions: [
            condition(ctx, 'Ready', 'True', reason, message, since, 1),
            condition(
              ctx,
              'ArtifactInStorage',
              'True',
              reason,
              message,
              since,
              1,
            ),
          ],
          observedGeneration: 1,
          ...src.extraStatus,
        },
      };
    },
    describe: () => ({
      suspended: false,
      ready: 'True',
      reason: src.readyReason ?? 'Succeeded',
      reconciling: false,
      stalled: false,
      appliedRevision: src.revision,
    }),
  };
}
