/*
 * Counts for the "objects by state" chart, per cluster or per tool, under the page's filters.
 *
 * A backend that sends `stateCounts` with the deployments page (rows under the whole filter, per
 * cluster and state and per tool and state) gives the chart everything in the table's own answer:
 * a page view is one request, and switching the grouping asks nothing ({@link chartFromStateCounts}).
 *
 * Against a backend without them, {@link loadStateChart} asks once per *state* rather than once per
 * cluster: the API counts every facet under every filter but the facet's own, so asking for
 * `state=[s]` (limit 1: only the facets are read) returns, in `facets.cluster` and `facets.tool`,
 * how many objects of state `s` each cluster and each tool has under all the other filters. Six
 * states at most means six small requests however many clusters there are, and the same answers
 * serve both groupings. `totalItems` of each answer is that state's total: the overall bar. The
 * per-facet cut that the facet's own filter would have applied (a cluster or tool filter) is
 * re-applied here, and only the states the state filter keeps are asked for.
 */
import {
  GITOPS_STATES,
  type DeploymentsFilter,
  type DeploymentsResponse,
  type DeploymentStateCount,
  type GitOpsState,
} from '@gitops-status/plugin-gitops-common';
import type { GitOpsApi } from '../../api/GitOpsApi';
import type { ChartGrouping } from './query';

/** Bars drawn at most: more would not be readable; the rest are counted in a note. */
export const CHART_MAX_GROUPS = 20;

export interface ChartBar {
  /** The cluster or tool; empty for the overall bar. */
  value: string;
  total: number;
  /** Counts per state, only states present, most severe first. */
  segments: Array<{ state: GitOpsState; count: number }>;
}

export interface StateChartData {
  overall: ChartBar;
  bars: ChartBar[];
  /** Groups beyond CHART_MAX_GROUPS, and the objects they hold. */
  hiddenGroups: number;
  hiddenObjects: number;
}

/** The order segments are drawn and listed in: most severe first, as elsewhere in the plugin. */
const SEGMENT_ORDER: readonly GitOpsState[] = [
  'error',
  'warning',
  'progressing',
  'unknown',
  'suspended',
  'ok',
];

function bar(value: string, counts: Map<GitOpsState, number>): ChartBar {
  const segments = SEGMENT_ORDER.filter(s => (counts.get(s) ?? 0) > 0).map(
    state => ({ state, count: counts.get(state)! }),
  );
  return {
    value,
    total: segments.reduce((n, s) => n + s.count, 0),
    segments,
  };
}

/** Rows under the whole filter per value of a grouping and state (`DeploymentsResponse.stateCounts`). */
export type StateCounts = Record<ChartGrouping, DeploymentStateCount[]>;

/** The state counts a deployments answer carries, if its backend sends them. */
export function stateCountsOf(
  answer: DeploymentsResponse | undefined,
): StateCounts | undefined {
  const counts = answer?.stateCounts;
  return Array.isArray(counts?.cluster) && Array.isArray(counts?.tool)
    ? counts
    : undefined;
}

function chartOf(
  overall: Map<GitOpsState, number>,
  groups: Map<string, Map<GitOpsState, number>>,
): StateChartData {
  const bars = [...groups.entries()]
    .map(([value, counts]) => bar(value, counts))
    .filter(b => b.total > 0)
    .sort((a, b) => b.total - a.total || a.value.localeCompare(b.value));
  const shown = bars.slice(0, CHART_MAX_GROUPS);
  const hidden = bars.slice(CHART_MAX_GROUPS);
  return {
    overall: bar('', overall),
    bars: shown,
    hiddenGroups: hidden.length,
    hiddenObjects: hidden.reduce((n, b) => n + b.total, 0),
  };
}

/** The chart from the state counts of a deployments answer: no request of its own. */
export function chartFromStateCounts(
  counts: StateCounts,
  by: ChartGrouping,
): StateChartData {
  const known = new Set<string>(GITOPS_STATES);
  const overall = new Map<GitOpsState, number>();
  const groups = new Map<string, Map<GitOpsState, number>>();
  for (const { value, state, count } of counts[by]) {
    if (!known.has(state)) continue;
    const s = state as GitOpsState;
    overall.set(s, (overall.get(s) ?? 0) + count);
    if (!groups.has(value)) groups.set(value, new Map());
    const group = groups.get(value)!;
    group.set(s, (group.get(s) ?? 0) + count);
  }
  return chartOf(overall, groups);
}

/** The chart from one request per state (a backend without `stateCounts`). */
export async function loadStateChart(
  api: Pick<GitOpsApi, 'getDeployments'>,
  filter: DeploymentsFilter,
  by: ChartGrouping,
): Promise<StateChartData> {
  const states = GITOPS_STATES.filter(
    s => !filter.state?.length || filter.state.includes(s),
  );
  const answers = await Promise.all(
    states.map(state =>
      api.getDeployments({ filter: { ...filter, state: [state] }, limit: 1 }),
    ),
  );
  const keep = filter[by]?.length ? new Set(filter[by]) : undefined;
  const overall = new Map<GitOpsState, number>();
  const groups = new Map<string, Map<GitOpsState, number>>();
  answers.forEach((answer, i) => {
    const state = states[i];
    overall.set(state, answer.totalItems);
    for (const { value, count } of answer.facets[by] ?? []) {
      if (keep && !keep.has(value)) continue;
      if (!groups.has(value)) groups.set(value, new Map());
      groups.get(value)!.set(state, count);
    }
  });
  return chartOf(overall, groups);
}
