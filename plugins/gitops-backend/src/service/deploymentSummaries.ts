import { createHash } from 'node:crypto';
import type {
  DeploymentFacet,
  DeploymentsFilter,
} from '@gitops-status/plugin-gitops-common';
import type { GitOpsStore } from '../store/GitOpsStore';
import type { StateCounts } from '../store/deployments';

/** What the deployments view shows beside its page of rows: total, facet counts, state counts. */
export interface DeploymentSummary {
  totalItems: number;
  facets: Record<DeploymentFacet, Array<{ value: string; count: number }>>;
  stateCounts: StateCounts;
}

export interface DeploymentSummaryQuery {
  filter: DeploymentsFilter;
  /** Entities whose objects the caller may see; undefined = no restriction. */
  allowedEntityRefs?: string[];
}

type SummaryStore = Pick<
  GitOpsStore,
  | 'readSummaryVersion'
  | 'countDeployments'
  | 'facetDeployments'
  | 'countDeploymentStates'
>;

/**
 * The deployments view's total, facets and state counts (13 grouped queries over every record),
 * kept per filter and visible set until the summary version moves (a record appears or goes, a
 * counted column, a binding or an entity changes; not the times and messages that change on most
 * writes). The version is read from the database on every request, so a change written by any
 * replica is seen by the next request on all of them; requests that arrive while a summary is
 * computed share it.
 */
export class DeploymentSummaries {
  private readonly entries = new Map<
    string,
    { version: number; summary: Promise<DeploymentSummary> }
  >();

  constructor(
    private readonly store: SummaryStore,
    private readonly facets: readonly DeploymentFacet[],
    private readonly maxEntries = 200,
  ) {}

  async get(query: DeploymentSummaryQuery): Promise<DeploymentSummary> {
    // Read before computing: a summary computed while a write commits is kept under the older
    // version, so the next reader (who sees the newer one) computes it again.
    const version = Number(await this.store.readSummaryVersion());
    const key = summaryKey(query);
    const hit = this.entries.get(key);
    if (hit && hit.version >= version) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.summary;
    }
    const entry = { version, summary: this.compute(query) };
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    entry.summary.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.summary;
  }

  private async compute(
    query: DeploymentSummaryQuery,
  ): Promise<DeploymentSummary> {
    const [totalItems, facets, stateCounts] = await Promise.all([
      this.store.countDeployments(query),
      this.store.facetDeployments(query, this.facets),
      this.store.countDeploymentStates(query),
    ]);
    return { totalItems, facets, stateCounts };
  }
}

/** The filter with its values in order, and the visible set as a digest (it can hold thousands). */
function summaryKey({ filter, allowedEntityRefs }: DeploymentSummaryQuery) {
  const parts: Record<string, unknown> = {};
  for (const field of Object.keys(filter).sort()) {
    const value = filter[field as keyof DeploymentsFilter];
    if (value === undefined) continue;
    parts[field] = Array.isArray(value) ? [...value].sort() : value;
  }
  const visible = allowedEntityRefs
    ? createHash('sha256')
        .update([...allowedEntityRefs].sort().join('\n'))
        .digest('hex')
    : '*';
  return `${visible} ${JSON.stringify(parts)}`;
}
