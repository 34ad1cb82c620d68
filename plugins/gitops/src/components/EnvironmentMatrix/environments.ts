import {
  parseRevision,
  type ClusterInfo,
  type GitOpsRecord,
} from '@gitops-status/plugin-gitops-common';
import { joinWords } from '../format';
import { isDeployer, leadRecord } from '../groups';

/** What one cluster of an environment runs: its lead record's revision. */
export interface ClusterRevision {
  cluster: string;
  lead?: GitOpsRecord;
  /** The commit (or chart version / revision) compared between clusters. */
  key?: string;
}

export interface EnvironmentRevisions {
  environment: string;
  clusters: ClusterRevision[];
  /** Set when every cluster of the environment with a known revision runs the same one. */
  lead?: GitOpsRecord;
  key?: string;
  /** True when clusters of this environment run different revisions. */
  mixed: boolean;
}

export interface EnvironmentComparison {
  environments: EnvironmentRevisions[];
  /** Sentences saying which environments (or clusters of one) differ; one when all agree. */
  differences: string[];
  allSame: boolean;
}

function revisionKey(record: GitOpsRecord | undefined): string | undefined {
  const r = record?.revision;
  return r?.commit ?? r?.chartVersion ?? r?.applied;
}

function entryKey(revision: string | undefined): string | undefined {
  if (!revision) return undefined;
  return parseRevision(revision).commit ?? revision;
}

type Order = -1 | 1 | undefined;

/**
 * Which of two revisions is older, from what the response knows:
 * 1. a record's history (newest first) lists both: the one deployed less recently is older;
 * 2. else the first time a history entry shows each (`deployedAt`);
 * 3. else when the deployers running each last reconciled: during a rollout the environment that
 *    already took the new commit reconciled it last.
 * Undefined when nothing tells, or when the evidence conflicts (a rollback).
 */
export function revisionOrder(
  records: readonly GitOpsRecord[],
): (a: string, b: string) => Order {
  const recencies: Array<Map<string, number>> = [];
  const firstDeployed = new Map<string, number>();
  const reconciled = new Map<string, number>();
  for (const r of records) {
    const current = revisionKey(r);
    if (r.history?.length) {
      const recency = new Map<string, number>();
      const keys = r.history.map(h => entryKey(h.revision));
      if (current && keys[0] !== current) keys.unshift(current);
      keys.forEach((k, i) => {
        if (k && !recency.has(k)) recency.set(k, i);
      });
      recencies.push(recency);
      for (const h of r.history) {
        const k = entryKey(h.revision);
        const t = h.deployedAt ? Date.parse(h.deployedAt) : NaN;
        if (k && Number.isFinite(t)) {
          firstDeployed.set(k, Math.min(firstDeployed.get(k) ?? t, t));
        }
      }
    }
    const t = r.lastReconciledAt ? Date.parse(r.lastReconciledAt) : NaN;
    if (current && isDeployer(r) && Number.isFinite(t)) {
      reconciled.set(current, Math.max(reconciled.get(current) ?? t, t));
    }
  }
  const byTime = (times: Map<string, number>, a: string, b: string): Order => {
    const ta = times.get(a);
    const tb = times.get(b);
    if (ta === undefined || tb === undefined || ta === tb) return undefined;
    return ta < tb ? -1 : 1;
  };
  return (a, b) => {
    if (a === b) return undefined;
    const votes = new Set<number>();
    for (const recency of recencies) {
      const ia = recency.get(a);
      const ib = recency.get(b);
      if (ia !== undefined && ib !== undefined) votes.add(ia > ib ? -1 : 1);
    }
    if (votes.size > 1) return undefined;
    if (votes.size === 1) return [...votes][0] as Order;
    return byTime(firstDeployed, a, b) ?? byTime(reconciled, a, b);
  };
}

/**
 * Per environment (in the configured cluster order), the revision each cluster runs, and sentences
 * that say where they differ: "prod runs an older commit than staging", "prod-eu and prod-us run
 * different commits".
 */
export function compareEnvironments(
  records: readonly GitOpsRecord[],
  clusters: readonly ClusterInfo[],
): EnvironmentComparison {
  const byCluster = new Map<string, GitOpsRecord[]>();
  for (const r of records) {
    const list = byCluster.get(r.cluster) ?? [];
    list.push(r);
    byCluster.set(r.cluster, list);
  }
  const environments: EnvironmentRevisions[] = [];
  const byName = new Map<string, EnvironmentRevisions>();
  for (const c of clusters) {
    const own = byCluster.get(c.name);
    if (!c.environment || !own) continue;
    let env = byName.get(c.environment);
    if (!env) {
      env = { environment: c.environment, clusters: [], mixed: false };
      byName.set(c.environment, env);
      environments.push(env);
    }
    const lead = leadRecord(own);
    env.clusters.push({ cluster: c.name, lead, key: revisionKey(lead) });
  }

  const differences: string[] = [];
  for (const env of environments) {
    const known = env.clusters.filter(c => c.key);
    const keys = new Set(known.map(c => c.key));
    env.mixed = keys.size > 1;
    if (keys.size === 1) {
      env.lead = known[0].lead;
      env.key = known[0].key;
    }
    if (env.mixed) {
      differences.push(
        `${joinWords(known.map(c => c.cluster))} run different commits`,
      );
    }
  }

  const order = revisionOrder(records);
  const comparable = environments.filter(e => e.key);
  const unordered: string[] = [];
  for (const env of comparable) {
    const newer = comparable.filter(
      other => other.key !== env.key && order(env.key!, other.key!) === -1,
    );
    if (newer.length) {
      differences.push(
        `${env.environment} runs an older commit than ${joinWords(
          newer.map(e => e.environment),
        )}`,
      );
    }
  }
  comparable.forEach((env, i) => {
    for (const other of comparable.slice(i + 1)) {
      if (other.key !== env.key && order(env.key!, other.key!) === undefined) {
        unordered.push(
          `${env.environment} and ${other.environment} run different commits`,
        );
      }
    }
  });
  differences.push(...unordered);

  const allSame =
    differences.length === 0 &&
    comparable.length === environments.length &&
    environments.length > 1;
  if (allSame) {
    differences.push(
      `${joinWords(environments.map(e => e.environment))} run the same commit`,
    );
  }
  return { environments, differences, allSame };
}
