/*
 * History: what happened to an entity's objects (events), and the deployments read out of them.
 */
import type {
  ComplianceState,
  GitOpsKind,
  GitOpsState,
  GitOpsTool,
  HealthStatus,
  SyncStatus,
} from './model';

/**
 * appeared: first seen; deployed: the applied revision changed; transition: sync, health,
 * compliance, state or the attempted revision changed; removed: no source reports it any more.
 * @public
 */
export const HISTORY_EVENT_TYPES = [
  'appeared',
  'deployed',
  'transition',
  'removed',
] as const;
/** @public */
export type HistoryEventType = (typeof HISTORY_EVENT_TYPES)[number];

/** The values of an object that history tracks. @public */
export interface HistoryValues {
  state: GitOpsState;
  sync: SyncStatus;
  health: HealthStatus;
  compliance: ComplianceState;
  /** The applied revision as the tool reports it (`main@sha1:…`, a chart version…). */
  revision?: string;
  commit?: string;
}

/** One change of one object. @public */
export interface HistoryEvent extends HistoryValues {
  /** Increases with every event stored; the paging cursor. */
  id: string;
  /** `tool|cluster|namespace|kind|name`. */
  recordId: string;
  tool: GitOpsTool;
  cluster: string;
  namespace: string;
  kind: GitOpsKind;
  name: string;
  event: HistoryEventType;
  /** When the change was observed (ISO time). */
  at: string;
  /** The revision last attempted, after the change. */
  attempted?: string;
  /** The object's reason and message after the change. */
  message?: string;
  /** The values before the change (absent for `appeared`). */
  previous?: HistoryValues;
}

/**
 * ready: became ready on this revision; in-progress: still on it, not ready yet; superseded: another
 * revision was applied before it became ready; removed: the object went away before it was ready.
 * @public
 */
export type DeploymentOutcome =
  | 'ready'
  | 'in-progress'
  | 'superseded'
  | 'removed';

/** One object moving to a revision. @public */
export interface DeploymentTarget {
  recordId: string;
  tool: GitOpsTool;
  cluster: string;
  namespace: string;
  kind: GitOpsKind;
  name: string;
  /** First seen attempting the revision (or, when that was not seen, when it was applied). */
  startedAt: string;
  /** When the object reported the revision as applied. */
  deployedAt: string;
  /** When the object was first seen ready on the revision. */
  readyAt?: string;
  /** readyAt − startedAt. */
  durationMs?: number;
  outcome: DeploymentOutcome;
}

/** A revision rolled out to one or more of an entity's objects. @public */
export interface DeploymentHistoryEntry {
  /** The commit when known, else the applied revision. */
  revision: string;
  commit?: string;
  /** Earliest and latest `deployedAt` of the targets. */
  firstDeployedAt: string;
  lastDeployedAt: string;
  /** Distinct clusters, sorted. */
  clusters: string[];
  targets: DeploymentTarget[];
}

/** Response of `GET /entity/{kind}/{namespace}/{name}/history`. @public */
export interface EntityHistoryResponse {
  entityRef: string;
  /** Newest first. */
  events: HistoryEvent[];
  /** Pass as `before` to get the next (older) page; absent on the last page. */
  nextCursor?: string;
  /** Newest first, read from the entity's deployment-related events within retention. */
  deployments: DeploymentHistoryEntry[];
  /** How many days of history are kept. */
  retentionDays: number;
}

function byTime(a: HistoryEvent, b: HistoryEvent): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  // Ids grow with insertion; compare as numbers (they are decimal strings).
  return Number(a.id) - Number(b.id);
}

/**
 * The deployments in a set of events (any order; typically every event of an entity's objects):
 * each `deployed` event is one target; targets are grouped by commit (else revision), newest first.
 * Pure: the same events always give the same entries.
 * @public
 */
export function deploymentsFromEvents(
  events: readonly HistoryEvent[],
): DeploymentHistoryEntry[] {
  const perRecord = new Map<string, HistoryEvent[]>();
  for (const e of events) {
    const list = perRecord.get(e.recordId) ?? [];
    list.push(e);
    perRecord.set(e.recordId, list);
  }
  const groups = new Map<string, DeploymentHistoryEntry>();
  for (const list of perRecord.values()) {
    list.sort(byTime);
    list.forEach((e, i) => {
      if (e.event !== 'deployed' || !e.revision) return;
      const target = deploymentTarget(list, i);
      const key = e.commit ?? e.revision;
      const group = groups.get(key) ?? {
        revision: key,
        commit: e.commit,
        firstDeployedAt: e.at,
        lastDeployedAt: e.at,
        clusters: [],
        targets: [],
      };
      group.targets.push(target);
      if (e.at < group.firstDeployedAt) group.firstDeployedAt = e.at;
      if (e.at > group.lastDeployedAt) group.lastDeployedAt = e.at;
      if (!group.clusters.includes(e.cluster)) group.clusters.push(e.cluster);
      groups.set(key, group);
    });
  }
  const entries = [...groups.values()];
  for (const g of entries) {
    g.clusters.sort();
    g.targets.sort(
      (a, b) =>
        a.deployedAt.localeCompare(b.deployedAt) ||
        a.recordId.localeCompare(b.recordId),
    );
  }
  return entries.sort(
    (a, b) =>
      b.firstDeployedAt.localeCompare(a.firstDeployedAt) ||
      a.revision.localeCompare(b.revision),
  );
}

/** The target of the `deployed` event at `list[i]` (one object's events in time order). */
function deploymentTarget(list: HistoryEvent[], i: number): DeploymentTarget {
  const deployed = list[i];
  const revision = deployed.revision;
  // Started: the earliest event since the previous deployment that already attempted it.
  let startedAt = deployed.at;
  for (let j = i - 1; j >= 0 && list[j].event !== 'deployed'; j--) {
    if (list[j].attempted === revision) startedAt = list[j].at;
  }
  let readyAt: string | undefined;
  let outcome: DeploymentOutcome = 'in-progress';
  for (let j = i; j < list.length; j++) {
    const e = list[j];
    if (e.event === 'removed') {
      outcome = 'removed';
      break;
    }
    if (j > i && e.event === 'deployed' && e.revision !== revision) {
      outcome = 'superseded';
      break;
    }
    if (e.revision === revision && e.state === 'ok') {
      readyAt = e.at;
      outcome = 'ready';
      break;
    }
  }
  return {
    recordId: deployed.recordId,
    tool: deployed.tool,
    cluster: deployed.cluster,
    namespace: deployed.namespace,
    kind: deployed.kind,
    name: deployed.name,
    startedAt,
    deployedAt: deployed.at,
    readyAt,
    durationMs: readyAt
      ? Date.parse(readyAt) - Date.parse(startedAt)
      : undefined,
    outcome,
  };
}
