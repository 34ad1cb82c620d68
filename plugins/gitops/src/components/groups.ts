import type {
  ClusterInfo,
  GitOpsRecord,
} from '@gitops-status/plugin-gitops-common';

/** The records of one cluster and tool (and, on System and Group pages, one component). */
export interface RecordGroup {
  key: string;
  cluster: string;
  environment?: string;
  tool: string;
  /** Set when grouping per component: the component these records belong to. */
  entityRef?: string;
  records: GitOpsRecord[];
}

/** True when the backend answered for a System or Group: records then name their components. */
export function hasEntityRefs(records: readonly GitOpsRecord[]): boolean {
  return records.some(r => r.entityRefs && r.entityRefs.length > 0);
}

export function environmentsByCluster(
  clusters: readonly ClusterInfo[],
): Map<string, string | undefined> {
  return new Map(clusters.map(c => [c.name, c.environment]));
}

/**
 * Groups records per cluster and tool, sorted by cluster then tool. With `byEntity`, also per
 * component (a record that belongs to two components appears in both groups).
 */
export function groupRecords(
  records: readonly GitOpsRecord[],
  clusters: readonly ClusterInfo[],
  options: { byEntity?: boolean } = {},
): RecordGroup[] {
  const env = environmentsByCluster(clusters);
  const groups = new Map<string, RecordGroup>();
  for (const r of records) {
    const refs: Array<string | undefined> =
      options.byEntity && r.entityRefs?.length ? r.entityRefs : [undefined];
    for (const entityRef of refs) {
      const key = [entityRef ?? '', r.cluster, r.tool].join('\u0000');
      let g = groups.get(key);
      if (!g) {
        g = {
          key,
          cluster: r.cluster,
          environment: env.get(r.cluster),
          tool: r.tool,
          entityRef,
          records: [],
        };
        groups.set(key, g);
      }
      g.records.push(r);
    }
  }
  return [...groups.values()].sort(
    (a, b) =>
      (a.entityRef ?? '').localeCompare(b.entityRef ?? '') ||
      a.cluster.localeCompare(b.cluster) ||
      a.tool.localeCompare(b.tool),
  );
}

const DEPLOYERS: string[] = [
  'Kustomization',
  'HelmRelease',
  'Application',
  'FluxConfig',
];

/**
 * The record whose revision best stands for a set: a deployer (Kustomization, HelmRelease,
 * Application, FluxConfig) with a Git commit, newest reconciled first.
 */
export function leadRecord(
  records: readonly GitOpsRecord[],
): GitOpsRecord | undefined {
  const rank = (r: GitOpsRecord) =>
    (DEPLOYERS.includes(r.kind) ? 0 : 2) + (r.revision.commit ? 0 : 1);
  return [...records].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (b.lastReconciledAt ?? '').localeCompare(a.lastReconciledAt ?? ''),
  )[0];
}

export function isDeployer(record: GitOpsRecord): boolean {
  return DEPLOYERS.includes(record.kind);
}
