/*
 * Instant-query results to records. Pure: the same series always give the same records.
 *
 * Metrics know much less than the objects: Flux series carry the Ready status (and, from
 * kube-state-metrics, suspend and one revision), Argo CD's argocd_app_info carries sync and health.
 * Records say exactly that — no reasons, no history, no labels — and their message starts with
 * "from Prometheus metrics" so users know the record is thin. When the Kubernetes source reports
 * the same object, the store merges both and the Kubernetes record wins field by field.
 *
 * Flux records carry one synthetic condition, `Ready` with the metric's status (no reason, message
 * or time: metrics have none), so views that list conditions show what is known; Argo CD records
 * carry none. Sync is Unknown unless derivable: Flux Ready=True with a known revision (only
 * kube-state-metrics exports one) is Synced; Argo CD's sync_status is taken as is.
 *
 * Label conventions (see test/fixtures/prometheus):
 *   - gotk_resource_info (kube-state-metrics, Flux ≥ 2.2): the object's namespace is
 *     `exported_namespace`; `namespace` is where kube-state-metrics or its scrape target runs.
 *   - gotk_reconcile_condition / gotk_suspend_status (controllers, Flux ≤ 2.1) and argocd_app_info:
 *     the controller names the object's namespace `namespace`; scraped through a PodMonitor or
 *     ServiceMonitor the target's own `namespace` label wins and the object's becomes
 *     `exported_namespace`. So: `exported_namespace`, else `namespace`.
 */
import {
  commitUrl,
  HEALTH_STATUSES,
  parseRevision,
  SYNC_STATUSES,
  type ComplianceState,
  type Condition,
  type GitOpsRecord,
  type HealthStatus,
  type OperationState,
  type Revision,
  type SyncStatus,
} from '@gitops-status/plugin-gitops-common';
import type { ClusterDirectory } from '../../config/clusters';
import { FLUX_KIND_GROUPS, type FluxKind } from '../../normalize';
import { DEFAULT_ARGOCD_NAMESPACE } from '../../normalize/argocd';
import {
  commitLink,
  finishRecord,
  repositoryLink,
} from '../../normalize/record';
import {
  describeRaw,
  hasControlCharacters,
  joinMessages,
  MAX_NAME_LENGTH,
  shortText,
  text,
  unknownCluster,
  urlText,
} from '../../normalize/text';
import type { VectorSample } from './client';

/** The instant queries one collection runs, by what they return. */
export const QUERIES = {
  argocdAppInfo: 'argocd_app_info',
  resourceInfo: 'gotk_resource_info',
  reconcileCondition: 'gotk_reconcile_condition{type="Ready"} == 1',
  suspendStatus: 'gotk_suspend_status == 1',
} as const;

export type MetricsSnapshot = Record<keyof typeof QUERIES, VectorSample[]>;

export interface MappingContext {
  clusters: ClusterDirectory;
  /** Label naming the cluster (default `cluster`). */
  clusterLabel: string;
  /** Cluster of series without that label. */
  defaultCluster?: string;
  observedAt: string;
}

export interface MappingResult {
  records: GitOpsRecord[];
  /** Series that could not be made into records, summarised (`3 series without a cluster label`). */
  skipped: string[];
  /** Series of kinds this plugin does not track (Flux Alert, Provider, image automation…). */
  ignored: number;
}

/** Ends every record message, so a thin record is never mistaken for the whole story. */
export const MESSAGE_PREFIX = 'from Prometheus metrics';

/** Kinds whose spec.url is the repository URL (like the Kubernetes normalizer). */
const REPO_URL_KINDS: ReadonlySet<string> = new Set([
  'GitRepository',
  'OCIRepository',
  'HelmRepository',
]);

type ReadyValue = 'True' | 'False' | 'Unknown';
const READY_VALUES: readonly string[] = ['True', 'False', 'Unknown'];

function label(metric: Record<string, string>, name: string) {
  const v = metric[name];
  return typeof v === 'string' && v.trim() ? v : undefined;
}

/** A stable order for series, so duplicates always resolve the same way. */
function canonical(metric: Record<string, string>): string {
  return Object.keys(metric)
    .sort()
    .map(k => `${k}=${JSON.stringify(metric[k])}`)
    .join(',');
}

function sorted(samples: VectorSample[]): VectorSample[] {
  return samples
    .map(s => ({ s, key: canonical(s.metric) }))
    .sort((a, b) => Number(a.key > b.key) - Number(a.key < b.key))
    .map(({ s }) => s);
}

function isFluxKind(kind: string | undefined): kind is FluxKind {
  return !!kind && Object.prototype.hasOwnProperty.call(FLUX_KIND_GROUPS, kind);
}

interface Identity {
  cluster: string;
  namespace: string;
  kind: string;
  name: string;
}

const idKey = (id: Identity) =>
  [id.cluster, id.namespace, id.kind, id.name].join('|');

class Skips {
  private readonly counts = new Map<string, number>();
  add(why: string) {
    this.counts.set(why, (this.counts.get(why) ?? 0) + 1);
  }
  list(): string[] {
    return [...this.counts].map(([why, n]) => `${n} series ${why}`);
  }
}

export function recordsFromMetrics(
  snapshot: MetricsSnapshot,
  ctx: MappingContext,
): MappingResult {
  const skips = new Skips();
  let ignored = 0;

  /** The configured cluster a series belongs to; a value no cluster knows is kept as it is. */
  const rawClusterOf = (metric: Record<string, string>): string | undefined => {
    const raw = label(metric, ctx.clusterLabel) ?? ctx.defaultCluster;
    return raw
      ? text(ctx.clusters.resolve(raw) ?? raw, MAX_NAME_LENGTH)
      : undefined;
  };
  const clusterOf = (
    metric: Record<string, string>,
    metricName: string,
  ): string | undefined => {
    const cluster = rawClusterOf(metric);
    if (!cluster) {
      skips.add(
        `of ${metricName} without a ${ctx.clusterLabel} label (set defaultCluster)`,
      );
    }
    return cluster;
  };

  const identityOf = (
    metric: Record<string, string>,
    metricName: string,
    kind: string,
    namespace: string | undefined,
    namespaceLabel: string,
  ): Identity | undefined => {
    const name = label(metric, 'name');
    if (!name || !namespace) {
      skips.add(`of ${metricName} without a name or ${namespaceLabel} label`);
      return undefined;
    }
    if (name.length > MAX_NAME_LENGTH || namespace.length > MAX_NAME_LENGTH) {
      skips.add(`of ${metricName} with a name longer than ${MAX_NAME_LENGTH}`);
      return undefined;
    }
    if (hasControlCharacters(name) || hasControlCharacters(namespace)) {
      skips.add(`of ${metricName} with control characters in a name`);
      return undefined;
    }
    const cluster = clusterOf(metric, metricName);
    return cluster ? { cluster, namespace, kind, name } : undefined;
  };

  // Flux ≥ 2.2 (kube-state-metrics) first: it carries revision and suspend.
  const flux = new Map<string, GitOpsRecord>();
  for (const { metric } of sorted(snapshot.resourceInfo)) {
    const kind = label(metric, 'customresource_kind');
    const group = label(metric, 'customresource_group');
    if (!isFluxKind(kind) || (group && FLUX_KIND_GROUPS[kind] !== group)) {
      ignored++;
      continue;
    }
    const id = identityOf(
      metric,
      'gotk_resource_info',
      kind,
      label(metric, 'exported_namespace'),
      'exported_namespace',
    );
    if (!id || flux.has(idKey(id))) continue;
    flux.set(
      idKey(id),
      fluxRecord(id, kind, fromResourceInfo(metric, kind), ctx.observedAt),
    );
  }

  // Flux ≤ 2.1 controllers: one series per object with value 1 for its current Ready status.
  const suspended = new Set<string>();
  for (const { metric, value } of snapshot.suspendStatus) {
    const kind = label(metric, 'kind');
    if (!isFluxKind(kind) || Number(value[1]) !== 1) continue;
    const namespace =
      label(metric, 'exported_namespace') ?? label(metric, 'namespace');
    const cluster = rawClusterOf(metric);
    const name = label(metric, 'name');
    if (!namespace || !cluster || !name) continue;
    suspended.add(idKey({ cluster, namespace, kind, name }));
  }
  const legacy = new Map<string, { id: Identity; statuses: Set<string> }>();
  for (const { metric, value } of sorted(snapshot.reconcileCondition)) {
    const kind = label(metric, 'kind');
    if (!isFluxKind(kind)) {
      ignored++;
      continue;
    }
    // The query already keeps value 1; checked again so raw series can be mapped too.
    if (Number(value[1]) !== 1 || (metric.type && metric.type !== 'Ready')) {
      continue;
    }
    const id = identityOf(
      metric,
      'gotk_reconcile_condition',
      kind,
      label(metric, 'exported_namespace') ?? label(metric, 'namespace'),
      'namespace',
    );
    if (!id) continue;
    const entry = legacy.get(idKey(id)) ?? { id, statuses: new Set() };
    entry.statuses.add(metric.status ?? '');
    legacy.set(idKey(id), entry);
  }
  for (const [key, { id, statuses }] of legacy) {
    if (flux.has(key)) continue; // both generations: kube-state-metrics wins
    const status = legacyStatus(statuses);
    if (status === 'Deleted') continue; // the object is gone
    flux.set(
      key,
      fluxRecord(
        id,
        id.kind as FluxKind,
        {
          ready: status,
          readyPresent: true,
          suspended: suspended.has(key),
          notes:
            statuses.size > 1
              ? [
                  `series disagree on Ready (${[...statuses]
                    .sort()
                    .join(', ')}); the worst is shown`,
                ]
              : [],
        },
        ctx.observedAt,
      ),
    );
  }

  // Argo CD.
  const apps = new Map<string, GitOpsRecord>();
  for (const { metric } of sorted(snapshot.argocdAppInfo)) {
    const namespace =
      label(metric, 'exported_namespace') ??
      label(metric, 'namespace') ??
      DEFAULT_ARGOCD_NAMESPACE;
    const name = label(metric, 'name');
    if (!name) {
      skips.add('of argocd_app_info without a name label');
      continue;
    }
    if (name.length > MAX_NAME_LENGTH || namespace.length > MAX_NAME_LENGTH) {
      skips.add(
        `of argocd_app_info with a name longer than ${MAX_NAME_LENGTH}`,
      );
      continue;
    }
    if (hasControlCharacters(name) || hasControlCharacters(namespace)) {
      skips.add('of argocd_app_info with control characters in a name');
      continue;
    }
    // The cluster Argo CD runs on: where `https://kubernetes.default.svc` deploys to.
    const home = rawClusterOf(metric);
    const record = applicationRecord(metric, { namespace, name }, home, ctx);
    const key = idKey({ ...record, kind: 'Application' });
    if (!apps.has(key)) apps.set(key, record);
  }

  return {
    records: [...flux.values(), ...apps.values()],
    skipped: skips.list(),
    ignored,
  };
}

/**
 * Several series for one object (two scrape jobs, a restarted controller): any live status beats
 * Deleted, and among live ones the worst is shown.
 */
function legacyStatus(statuses: Set<string>): string {
  for (const s of ['False', 'Unknown', 'True']) if (statuses.has(s)) return s;
  const other = [...statuses].filter(s => s !== 'Deleted').sort()[0];
  return other ?? 'Deleted';
}

interface FluxObservation {
  /** Raw Ready status label value; undefined when the label is absent. */
  ready?: string;
  /** False for kube-state-metrics series without a `ready` label (no Ready condition yet). */
  readyPresent: boolean;
  suspended: boolean;
  revision?: string;
  url?: string;
  notes: string[];
}

function fromResourceInfo(
  metric: Record<string, string>,
  kind: string,
): FluxObservation {
  const notes: string[] = [];
  const ready = label(metric, 'ready');
  // kube-state-metrics renders spec.suspend as "true"/"false"; no label when it is not set.
  const rawSuspended = metric.suspended;
  let suspended = false;
  if (rawSuspended === 'true') suspended = true;
  else if (rawSuspended !== undefined && rawSuspended !== 'false') {
    notes.push(`suspended label ${describeRaw(rawSuspended)} not recognised`);
  }
  return {
    ready,
    readyPresent: ready !== undefined,
    suspended,
    revision: shortText(metric.revision),
    url: REPO_URL_KINDS.has(kind)
      ? urlText(metric.url, 'url label', notes)
      : undefined,
    notes,
  };
}

function fluxRecord(
  id: Identity,
  kind: FluxKind,
  o: FluxObservation,
  observedAt: string,
): GitOpsRecord {
  const notes = [...o.notes];
  const known = o.ready !== undefined && READY_VALUES.includes(o.ready);
  const ready = known ? (o.ready as ReadyValue) : undefined;
  if (o.ready !== undefined && !known) {
    notes.push(`Ready status ${describeRaw(o.ready)} not recognised`);
  }

  let health: HealthStatus;
  let compliance: ComplianceState;
  if (o.suspended) {
    health = 'Suspended';
    compliance = 'Suspended';
  } else if (ready === 'True') {
    health = 'Healthy';
    compliance = 'Compliant';
  } else if (ready === 'False') {
    health = 'Degraded';
    compliance = 'NonCompliant';
  } else if (ready === 'Unknown' || !o.readyPresent) {
    // Ready=Unknown is in progress; no Ready condition at all means not reconciled yet (as kstatus.ts).
    health = 'Progressing';
    compliance = 'Pending';
  } else {
    health = 'Unknown';
    compliance = 'Unknown';
  }

  const revision = revisionOf(kind, o.revision, ready, o.url);
  // What a metric can tell about sync: Ready=True with a known revision means that revision is
  // applied (Flux sets Ready=Unknown while another one is attempted, False when it fails).
  const sync: SyncStatus =
    ready === 'True' && (revision.applied ?? revision.attempted)
      ? 'Synced'
      : 'Unknown';

  const readyText = !o.readyPresent
    ? 'no Ready condition yet'
    : `Ready=${o.ready}`;
  const conditions: Condition[] = ready
    ? [{ type: 'Ready', status: ready }]
    : [];
  const isGit = kind === 'GitRepository';

  return finishRecord({
    tool: 'flux',
    cluster: id.cluster,
    namespace: id.namespace,
    kind,
    name: id.name,
    sync,
    health,
    compliance,
    suspended: o.suspended,
    revision,
    reason: o.suspended ? 'Suspended' : undefined,
    message: joinMessages(
      `${MESSAGE_PREFIX}: ${readyText}${o.suspended ? ', suspended' : ''}`,
      ...notes,
    ),
    conditions,
    dependsOn: [],
    labels: {},
    sources: ['prometheus'],
    observedAt,
    links: isGit
      ? [
          ...commitLink(revision.repoUrl, revision.commit),
          ...repositoryLink(revision.repoUrl),
        ]
      : [],
  });
}

/**
 * The one revision kube-state-metrics exports (flux2-monitoring-example's config):
 * Kustomization `status.lastAppliedRevision`; sources `status.artifact.revision`; HelmRelease
 * `status.history[0].chartVersion` — the latest release, which is the deployed one only when
 * Ready=True (otherwise it is the one being attempted).
 */
function revisionOf(
  kind: FluxKind,
  raw: string | undefined,
  ready: ReadyValue | undefined,
  url: string | undefined,
): Revision {
  const repoUrl = url;
  if (!raw) return { repoUrl };
  if (kind === 'HelmRelease') {
    const applied = ready === 'True' ? raw : undefined;
    const parsed = parseRevision(raw);
    return {
      applied,
      attempted: raw,
      ref: parsed.ref,
      commit: parsed.commit,
      chartVersion: applied,
    };
  }
  const parsed = parseRevision(raw);
  return {
    applied: raw,
    ref: parsed.ref,
    commit: parsed.commit,
    repoUrl,
    commitUrl:
      kind === 'GitRepository' ? commitUrl(repoUrl, parsed.commit) : undefined,
    chartVersion: kind === 'HelmChart' ? raw : undefined,
  };
}

function enumLabel<T extends string>(
  allowed: readonly T[],
  raw: string | undefined,
  what: string,
  notes: string[],
): T | 'Unknown' {
  if (raw === undefined || raw === '') return 'Unknown';
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  notes.push(`${what} ${describeRaw(raw)} not recognised`);
  return 'Unknown';
}

function applicationRecord(
  metric: Record<string, string>,
  id: { namespace: string; name: string },
  home: string | undefined,
  ctx: MappingContext,
): GitOpsRecord {
  const notes: string[] = [];
  const sync = enumLabel(
    SYNC_STATUSES,
    metric.sync_status,
    'sync status',
    notes,
  );
  const reportedHealth = enumLabel(
    HEALTH_STATUSES,
    metric.health_status,
    'health status',
    notes,
  );
  // argocd_app_info `operation`: "sync" while a sync is requested or running, "delete" while the
  // Application is being deleted, "" otherwise (argo-cd controller/metrics).
  const op = metric.operation ?? '';
  const deleting = op === 'delete';
  const syncing = op === 'sync';
  if (op && !deleting && !syncing) {
    notes.push(`operation ${describeRaw(op)} not recognised`);
  }
  const health: HealthStatus = deleting ? 'Progressing' : reportedHealth;

  // As normalize/argocd.ts, without the last operation's phase (metrics do not carry it).
  let compliance: ComplianceState;
  if (deleting) compliance = 'Pending';
  else if (health === 'Suspended') compliance = 'Suspended';
  else if (sync === 'Synced')
    compliance = health === 'Progressing' ? 'Pending' : 'Compliant';
  else if (sync === 'OutOfSync')
    compliance = syncing ? 'Pending' : 'NonCompliant';
  else compliance = 'Unknown';

  let operation: OperationState | undefined;
  if (deleting) operation = { phase: 'Deleting', message: 'being deleted' };
  else if (syncing) {
    operation = {
      phase: 'Running',
      message: 'sync requested or running',
    };
  }

  const server = shortText(metric.dest_server);
  let cluster: string | undefined;
  try {
    cluster = ctx.clusters.resolveDestination({ server }, home);
  } catch {
    cluster = undefined;
  }
  const repoUrl = urlText(metric.repo, 'repo label', notes);
  const instance = home
    ? ctx.clusters.get(home)?.argocdInstance ?? home
    : undefined;

  let reason: string | undefined;
  if (deleting) reason = 'Deleting';
  else if (syncing) reason = 'Syncing';
  const parts = [`sync ${sync}`, `health ${reportedHealth}`];
  if (syncing) parts.push('sync operation in progress');
  if (deleting) parts.push('being deleted');

  return finishRecord({
    tool: 'argocd',
    cluster: text(cluster, MAX_NAME_LENGTH) ?? unknownCluster(server),
    namespace: id.namespace,
    kind: 'Application',
    name: id.name,
    sync,
    health,
    compliance,
    suspended: health === 'Suspended',
    revision: { repoUrl },
    reason,
    message: joinMessages(`${MESSAGE_PREFIX}: ${parts.join(', ')}`, ...notes),
    conditions: [],
    dependsOn: [],
    labels: {},
    instance: shortText(instance),
    project: shortText(metric.project) ?? 'default',
    operation,
    sources: ['prometheus'],
    observedAt: ctx.observedAt,
    links: repositoryLink(repoUrl),
  });
}
