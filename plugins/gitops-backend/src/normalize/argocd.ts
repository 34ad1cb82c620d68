/*
 * Argo CD Applications (argoproj.io/v1alpha1), from the Kubernetes API or Argo CD's REST API
 * (same JSON; the REST API omits apiVersion/kind). Argo CD 2.x and 3.x shapes: 3.x persists
 * `status.health.lastTransitionTime` and, with `resourceHealthSource: appTree`, no per-resource
 * health — the app-level health we read is there in both.
 */
import {
  HEALTH_STATUSES,
  SYNC_STATUSES,
  commitUrl,
  shortRevision,
  type ComplianceState,
  type Condition,
  type GitOpsRecord,
  type HealthStatus,
  type HistoryEntry,
  type Link,
  type OperationState,
  type SyncStatus,
} from '@gitops-status/plugin-gitops-common';
import {
  asObject,
  field,
  int,
  isoTime,
  list,
  readLabels,
  str,
  type RawObject,
} from './raw';
import {
  commitLink,
  compact,
  finishRecord,
  httpsUrl,
  newestFirst,
  repositoryLink,
} from './record';
import { MAX_APP_SOURCES, MAX_CONDITIONS, MAX_NAME_LENGTH } from './limits';
import {
  describeRaw,
  droppedNote,
  joinMessages,
  shortText,
  text,
  unknownCluster,
  urlText,
} from './text';
import type { NormalizeContext } from './types';

/** Where Argo CD is usually installed; the REST API of old versions omits metadata.namespace. */
export const DEFAULT_ARGOCD_NAMESPACE = 'argocd';

/** Operation phases that mean the last sync did not go through (Argo CD notifications' on-sync-failed). */
const FAILED_PHASES = new Set(['Failed', 'Error']);

interface AppSource {
  repoURL?: string;
  targetRevision?: string;
  /** Set for Helm repository sources: the revision is a chart version, not a commit. */
  chart?: string;
}

export function normalizeApplication(
  app: RawObject,
  id: { namespace: string; name: string },
  ctx: NormalizeContext,
): GitOpsRecord {
  const metadata = asObject(app.metadata);
  const spec = asObject(app.spec);
  const status = asObject(app.status);
  const notes: string[] = [];

  const sync = enumValue(
    SYNC_STATUSES,
    field(status, 'sync', 'status'),
    'sync status',
    notes,
  );
  const reportedHealth = enumValue(
    HEALTH_STATUSES,
    field(status, 'health', 'status'),
    'health status',
    notes,
  );
  const deletionTimestamp = str(metadata?.deletionTimestamp);
  const deleting = deletionTimestamp !== undefined;
  // Deleting is what Argo CD's own metrics call operation="delete"; the app is going away, so it is
  // in progress whatever health its resources had.
  const health: HealthStatus = deleting ? 'Progressing' : reportedHealth;

  const lastOp = operationStateOf(status);
  const requested = asObject(app.operation);
  let operation = lastOp;
  if (deleting) {
    operation = {
      phase: 'Deleting',
      message: 'being deleted',
      startedAt: isoTime(deletionTimestamp),
    };
  } else if (requested && lastOp?.phase !== 'Running') {
    // `operation` is set when a sync is requested and cleared when it finishes.
    operation = {
      phase: 'Pending',
      message: `${
        'sync' in requested ? 'sync' : 'operation'
      } requested, not started yet`,
    };
  }

  const failing = !!lastOp && FAILED_PHASES.has(lastOp.phase);
  const running = lastOp?.phase === 'Running' || (!!requested && !deleting);
  const compliance = complianceOf({ deleting, health, failing, running, sync });

  const rev = revisionOf(spec, status, sync, notes);
  const conditions = conditionsOf(status, notes);
  const why = reasonOf({
    deleting,
    reportedHealth,
    lastOp,
    failing,
    conditions,
    status,
  });

  return finishRecord({
    tool: 'argocd',
    cluster: destinationCluster(spec, ctx),
    namespace: id.namespace,
    kind: 'Application',
    name: id.name,
    sync,
    health,
    compliance,
    suspended: health === 'Suspended',
    revision: rev.revision,
    lastReconciledAt:
      isoTime(status?.reconciledAt) ?? isoTime(status?.observedAt),
    lastTransitionAt: isoTime(field(status, 'health', 'lastTransitionTime')),
    reason: shortText(why.reason),
    message: joinMessages(why.message, rev.sourcesNote, ...notes),
    conditions,
    dependsOn: [],
    labels: readLabels(metadata?.labels, notes),
    instance: shortText(ctx.argocdInstance),
    project: shortText(spec?.project) ?? 'default',
    operation,
    history: rev.history.length ? rev.history : undefined,
    sources: [ctx.source],
    observedAt: ctx.observedAt,
    links: [...appLink(ctx.argocdUrl, id), ...rev.links],
  });
}

/**
 * Compliance in Azure's sense, from Argo CD's fields: Compliant when Synced and the last operation
 * did not fail; Pending while a sync runs or resources are still rolling out; NonCompliant when
 * OutOfSync with nothing running, or when the last operation Failed/Errored.
 */
function complianceOf(a: {
  deleting: boolean;
  health: HealthStatus;
  failing: boolean;
  running: boolean;
  sync: SyncStatus;
}): ComplianceState {
  if (a.deleting) return 'Pending';
  if (a.health === 'Suspended') return 'Suspended';
  if (a.failing) return 'NonCompliant';
  if (a.sync === 'Synced') {
    return a.health === 'Progressing' ? 'Pending' : 'Compliant';
  }
  if (a.sync === 'OutOfSync') return a.running ? 'Pending' : 'NonCompliant';
  return 'Unknown';
}

function enumValue<T extends string>(
  allowed: readonly T[],
  raw: unknown,
  what: string,
  notes: string[],
): T | 'Unknown' {
  if (raw === undefined || raw === null) return 'Unknown';
  if (typeof raw === 'string' && (allowed as readonly string[]).includes(raw)) {
    return raw as T;
  }
  notes.push(`${what} ${describeRaw(raw)} not recognised`);
  return 'Unknown';
}

function operationStateOf(
  status: RawObject | undefined,
): OperationState | undefined {
  const op = asObject(status?.operationState);
  const phase = shortText(op?.phase);
  if (!op || !phase) return undefined;
  return compact({
    phase,
    message: text(op.message),
    startedAt: isoTime(op.startedAt),
    finishedAt: isoTime(op.finishedAt),
  });
}

function conditionsOf(
  status: RawObject | undefined,
  notes: string[],
): Condition[] {
  const entries = list(status?.conditions);
  const dropped = droppedNote('conditions', entries.length, MAX_CONDITIONS);
  if (dropped) notes.push(dropped);
  // Argo CD conditions have no status: being listed means the condition holds.
  return entries.slice(0, MAX_CONDITIONS).flatMap(c => {
    const type = shortText(field(c, 'type'));
    if (!type) return [];
    return [
      compact({
        type,
        status: 'True' as const,
        message: text(field(c, 'message')),
        lastTransitionTime: isoTime(field(c, 'lastTransitionTime')),
      }),
    ];
  });
}

function reasonOf(a: {
  deleting: boolean;
  reportedHealth: HealthStatus;
  lastOp?: OperationState;
  failing: boolean;
  conditions: Condition[];
  status?: RawObject;
}): { reason?: string; message?: string } {
  if (a.deleting) {
    return {
      reason: 'Deleting',
      message: `being deleted (health was ${a.reportedHealth})`,
    };
  }
  if (a.failing && a.lastOp) {
    return {
      reason: a.lastOp.phase === 'Error' ? 'SyncError' : 'SyncFailed',
      message: a.lastOp.message,
    };
  }
  // Argo CD names conditions `<What>Error` or `<What>Warning`; errors first.
  const errors = a.conditions.filter(c => c.type.endsWith('Error'));
  if (errors.length) return fromConditions(errors);
  if (a.lastOp?.phase === 'Running') {
    return { reason: 'Syncing', message: a.lastOp.message };
  }
  const healthMessage = text(field(a.status, 'health', 'message'));
  if (healthMessage) {
    return { reason: a.reportedHealth, message: healthMessage };
  }
  if (a.conditions.length) return fromConditions(a.conditions);
  return { message: a.lastOp?.message };
}

function fromConditions(conditions: Condition[]): {
  reason: string;
  message?: string;
} {
  const [first] = conditions;
  const more =
    conditions.length > 1 ? ` (+${conditions.length - 1} more conditions)` : '';
  return {
    reason: first.type,
    message: first.message
      ? `${first.message}${more}`
      : more.trim() || undefined,
  };
}

function destinationCluster(
  spec: RawObject | undefined,
  ctx: NormalizeContext,
): string {
  const server = shortText(field(spec, 'destination', 'server'));
  const name = shortText(field(spec, 'destination', 'name'));
  let resolved: unknown;
  try {
    resolved = ctx.resolveDestination?.({ server, name });
  } catch {
    resolved = undefined; // a resolver bug must not lose the record
  }
  return text(resolved, MAX_NAME_LENGTH) ?? unknownCluster(server ?? name);
}

function appLink(
  base: string | undefined,
  id: { namespace: string; name: string },
): Link[] {
  const root = httpsUrl(base);
  if (!root) return [];
  const url = `${root}/applications/${encodeURIComponent(
    id.namespace,
  )}/${encodeURIComponent(id.name)}`;
  return [{ type: 'argocd', title: 'Argo CD', url }];
}

function readSource(value: unknown, notes: string[]): AppSource | undefined {
  const o = asObject(value);
  if (!o) return undefined;
  return {
    repoURL: urlText(o.repoURL, 'repoURL', notes),
    targetRevision: shortText(o.targetRevision),
    chart: shortText(o.chart),
  };
}

const GIT_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

function sha(value: string | undefined): string | undefined {
  return value && GIT_SHA.test(value) ? value.toLowerCase() : undefined;
}

interface RawHistory {
  revision?: string;
  revisions: Array<string | undefined>;
  deployedAt?: string;
  id?: number;
}

/**
 * Single source: `spec.source` + `status.sync.revision`. Multi source: `spec.sources[]` +
 * `status.sync.revisions[]` (same order). The record's revision describes one primary source —
 * the first Git source (Helm chart sources carry versions, not commits) — so "where is commit X"
 * works on plain strings; the other sources are listed in the message and get their own links.
 *
 * `status.sync.revision` is the revision Argo CD compared the cluster with (the target). When
 * Synced, the cluster runs it; when OutOfSync, the cluster still runs the last deployed revision
 * (`status.history`), so that is `applied` and the target is `attempted`.
 */
function revisionOf(
  spec: RawObject | undefined,
  status: RawObject | undefined,
  sync: SyncStatus,
  notes: string[],
) {
  const declared = list(spec?.sources);
  const dropped = droppedNote('sources', declared.length, MAX_APP_SOURCES);
  if (dropped) notes.push(dropped);
  const many = declared
    .slice(0, MAX_APP_SOURCES)
    .map(s => readSource(s, notes))
    .filter((s): s is AppSource => !!s);
  const multi = many.length > 0;
  const sources = multi
    ? many
    : [readSource(spec?.source, notes)].filter((s): s is AppSource => !!s);
  const targets = multi
    ? list(field(status, 'sync', 'revisions')).map(r => shortText(r))
    : [shortText(field(status, 'sync', 'revision'))];
  const opTargets = multi
    ? list(
        field(status, 'operationState', 'operation', 'sync', 'revisions'),
      ).map(r => shortText(r))
    : [
        shortText(
          field(status, 'operationState', 'operation', 'sync', 'revision'),
        ),
      ];
  const gitIndex = sources.findIndex(s => !!s.repoURL && !s.chart);
  const primary = gitIndex >= 0 ? gitIndex : 0;
  const source: AppSource = sources[primary] ?? {};

  const rawHistory: RawHistory[] = list(status?.history).flatMap(h => {
    const o = asObject(h);
    if (!o) return [];
    return [
      {
        revision: shortText(o.revision),
        revisions: list(o.revisions).map(r => shortText(r)),
        deployedAt: isoTime(o.deployedAt),
        id: int(o.id),
      },
    ];
  });
  // Argo CD appends to history; the newest deployment has the highest id (and latest deployedAt).
  const byRecency = [...rawHistory].sort(
    (a, b) =>
      (b.deployedAt ? Date.parse(b.deployedAt) : -Infinity) -
        (a.deployedAt ? Date.parse(a.deployedAt) : -Infinity) ||
      (b.id ?? -1) - (a.id ?? -1),
  );
  const deployedOf = (h: RawHistory | undefined, i: number) =>
    multi ? h?.revisions[i] : h?.revision;
  const lastDeployed = (i: number) => deployedOf(byRecency[0], i);

  const target = targets[primary];
  const applied =
    sync === 'Synced' ? target ?? lastDeployed(primary) : lastDeployed(primary);
  const attempted = target ?? opTargets[primary];
  const commit = applied ? sha(applied) : sha(attempted);
  const repoUrl = source.repoURL;
  // A Helm repository source deploys chart versions; its targetRevision is the version (range).
  const chartVersion = source.chart && !commit ? applied : undefined;

  const history: HistoryEntry[] = newestFirst(
    byRecency.map(h => ({
      revision: h.revision ?? shortText(h.revisions.filter(Boolean).join(', ')),
      deployedAt: h.deployedAt,
    })),
  );

  const links: Link[] = [
    ...commitLink(repoUrl, commit),
    ...repositoryLink(repoUrl),
  ];
  let sourcesNote: string | undefined;
  if (multi && sources.length > 1) {
    const described = sources.map((s, i) => {
      const rev =
        (sync === 'Synced' ? targets[i] : undefined) ??
        lastDeployed(i) ??
        targets[i];
      if (i !== primary && !s.chart) {
        links.push(...commitLink(s.repoURL, sha(rev), repoName(s.repoURL)));
      }
      return `${s.repoURL || '(no repoURL)'}${
        s.chart ? ` chart ${s.chart}` : ''
      }${rev ? `@${shortRevision(rev)}` : ''}${
        i === primary ? ' (primary)' : ''
      }`;
    });
    sourcesNote = `${sources.length} sources: ${described.join(', ')}`;
  }

  return {
    revision: {
      applied,
      attempted,
      commit,
      ref: source.targetRevision,
      repoUrl,
      commitUrl: commitUrl(repoUrl, commit),
      chartVersion,
    },
    history,
    links,
    sourcesNote,
  };
}

function repoName(url: string | undefined): string | undefined {
  return url
    ?.replace(/\.git$/, '')
    .split('/')
    .filter(Boolean)
    .pop();
}
