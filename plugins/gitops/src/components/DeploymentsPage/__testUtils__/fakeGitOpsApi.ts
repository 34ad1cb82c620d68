/*
 * A GitOps API over an in-memory array of rows that filters, sorts, pages, counts facets and
 * traces commits the way the backend documents it (store/deployments.ts): tests take their
 * expectations from the array, not from the component.
 */
import {
  DEPLOYMENT_FACETS,
  type CommitTraceResponse,
  type DeploymentFacet,
  type DeploymentRow,
  type DeploymentStateCount,
  type DeploymentsFilter,
  type DeploymentsResponse,
  type DeploymentSortField,
} from '@gitops-status/plugin-gitops-common';
import type { DeploymentsRequest, GitOpsApi } from '../../../api/GitOpsApi';
import type { StateCounts } from '../chartData';

/** The values a row has for a facet (owner and system: any number). */
export function facetValues(
  row: DeploymentRow,
  facet: DeploymentFacet,
): string[] {
  if (facet === 'owner') return row.owners;
  if (facet === 'system') return row.systems;
  return [String(row.record[facet])];
}

/** Does the row pass the filter, leaving out one facet's own filter? */
export function matches(
  row: DeploymentRow,
  filter: DeploymentsFilter,
  except?: DeploymentFacet,
): boolean {
  for (const facet of DEPLOYMENT_FACETS) {
    const wanted = filter[facet];
    if (facet === except || !wanted?.length) continue;
    if (!facetValues(row, facet).some(v => wanted.includes(v))) return false;
  }
  if (
    filter.entity?.length &&
    !row.entityRefs.some(e => filter.entity!.includes(e))
  ) {
    return false;
  }
  if (
    filter.commit &&
    !row.record.revision.commit?.startsWith(filter.commit.toLowerCase())
  ) {
    return false;
  }
  if (filter.q) {
    const q = filter.q.toLowerCase();
    const r = row.record;
    if (
      ![r.name, r.namespace, r.cluster, r.kind].some(t =>
        t.toLowerCase().includes(q),
      )
    ) {
      return false;
    }
  }
  return true;
}

function sortValue(row: DeploymentRow, sort: DeploymentSortField): string {
  return sort === 'lastReconciledAt'
    ? row.record.lastReconciledAt ?? ''
    : String(row.record[sort]);
}

export function facetsOf(
  rows: readonly DeploymentRow[],
  filter: DeploymentsFilter,
): DeploymentsResponse['facets'] {
  const facets = {} as DeploymentsResponse['facets'];
  for (const facet of DEPLOYMENT_FACETS) {
    const counts = new Map<string, number>();
    for (const row of rows) {
      if (!matches(row, filter, facet)) continue;
      for (const v of new Set(facetValues(row, facet))) {
        counts.set(v, (counts.get(v) ?? 0) + 1);
      }
    }
    facets[facet] = [...counts.entries()]
      .map(([value, count]) => ({ value, count }))
      .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  }
  return facets;
}

/** Rows under the whole filter per cluster and state and per tool and state, as the backend counts them. */
export function stateCountsOf(
  rows: readonly DeploymentRow[],
  filter: DeploymentsFilter,
): StateCounts {
  const out = {} as StateCounts;
  for (const by of ['cluster', 'tool'] as const) {
    const counts = new Map<string, DeploymentStateCount>();
    for (const row of rows) {
      if (!matches(row, filter)) continue;
      const value = row.record[by];
      const k = `${value}\u0000${row.record.state}`;
      const entry = counts.get(k) ?? {
        value,
        state: row.record.state,
        count: 0,
      };
      entry.count++;
      counts.set(k, entry);
    }
    out[by] = [...counts.values()];
  }
  return out;
}

export function deploymentsOf(
  rows: readonly DeploymentRow[],
  request: DeploymentsRequest,
  options: { stateCounts?: boolean } = {},
): DeploymentsResponse {
  const filter = request.filter ?? {};
  const sort = request.sort ?? 'cluster';
  const dir = request.order === 'desc' ? -1 : 1;
  const offset = request.offset ?? 0;
  const limit = request.limit ?? 50;
  if (limit < 1 || limit > 500) throw new Error(`limit ${limit} out of range`);
  const matching = rows
    .map((row, index) => ({ row, index }))
    .filter(({ row }) => matches(row, filter))
    .sort((a, b) => {
      const x = sortValue(a.row, sort);
      const y = sortValue(b.row, sort);
      // Ties in array order: stable, as the server's record_id tiebreak.
      if (x === y) return a.index - b.index;
      return (x < y ? -1 : 1) * dir;
    })
    .map(({ row }) => row);
  return {
    items: matching.slice(offset, offset + limit),
    totalItems: matching.length,
    offset,
    limit,
    facets: facetsOf(rows, filter),
    ...(options.stateCounts === false
      ? {}
      : { stateCounts: stateCountsOf(rows, filter) }),
  };
}

export function traceOf(
  rows: readonly DeploymentRow[],
  prefix: string,
): CommitTraceResponse {
  const commit = prefix.toLowerCase();
  const byCluster = (a: DeploymentRow, b: DeploymentRow) =>
    a.record.cluster.localeCompare(b.record.cluster);
  const applied = rows
    .filter(r => r.record.revision.commit?.startsWith(commit))
    .sort(byCluster);
  const attempting = rows
    .filter(
      r =>
        r.record.revision.attempted?.includes(commit) &&
        !r.record.revision.commit?.startsWith(commit),
    )
    .sort(byCluster);
  const repos = new Set(
    [...applied, ...attempting]
      .map(r => r.record.revision.repoUrl)
      .filter(Boolean),
  );
  const behind = rows
    .filter(
      r =>
        repos.has(r.record.revision.repoUrl) &&
        !applied.includes(r) &&
        !attempting.includes(r),
    )
    .sort(byCluster);
  const commits = [...new Set(applied.map(r => r.record.revision.commit!))];
  return {
    commit,
    resolved: commits.length === 1 ? commits[0] : undefined,
    applied,
    attempting,
    behind,
  };
}

/**
 * The fake API, with every request recorded (`calls.getDeployments`, `calls.traceCommit`).
 * `stateCounts: false` answers like a backend that does not count states for the chart.
 */
export function fakeGitOpsApi(
  rows: readonly DeploymentRow[],
  options: { stateCounts?: boolean } = {},
) {
  const calls = {
    getDeployments: [] as DeploymentsRequest[],
    traceCommit: [] as string[],
  };
  const api: GitOpsApi & { calls: typeof calls; fail?: Error } = {
    calls,
    async getEntityStatus() {
      throw new Error('not used');
    },
    async getEntityHistory() {
      throw new Error('not used');
    },
    async getAlerts() {
      throw new Error('not used');
    },
    async runAction() {
      throw new Error('not used');
    },
    async getClusters() {
      return { clusters: [] };
    },
    async getDeployments(request) {
      calls.getDeployments.push(request);
      if (api.fail) throw api.fail;
      return deploymentsOf(rows, request, options);
    },
    async traceCommit(commit) {
      calls.traceCommit.push(commit);
      if (api.fail) throw api.fail;
      return traceOf(rows, commit);
    },
  };
  return api;
}

/** The page requests (limit above 1: not the chart's facet-only requests). */
export function pageRequests(api: ReturnType<typeof fakeGitOpsApi>) {
  return api.calls.getDeployments.filter(r => (r.limit ?? 50) > 1);
}
