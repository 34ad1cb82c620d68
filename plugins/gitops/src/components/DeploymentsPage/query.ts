/*
 * The deployments page keeps its whole view in the query string, so a reload or a shared link
 * shows the same objects: filters, sort, page, page size, the chart grouping and the commit trace.
 *
 *   ?state=error&state=warning&owner=group:default/team-a&q=podinfo&commit=1a2b
 *   &sort=name&order=desc&page=3&size=100&by=tool&trace=1a2b3c4d
 *
 * List filters repeat their key (OR within a field, AND across fields, as the API reads them);
 * `page` is 1-based for people reading the URL; defaults are left out so URLs stay short.
 */
import {
  DEPLOYMENT_FACETS,
  DEPLOYMENT_SORT_FIELDS,
  type DeploymentSortField,
  type DeploymentsFilter,
} from '@gitops-status/plugin-gitops-common';

/** The list filters: every facet, and the entities objects are bound to (set by links, no facet). */
export const LIST_FIELDS = [...DEPLOYMENT_FACETS, 'entity'] as const;
export type ListField = (typeof LIST_FIELDS)[number];

export const PAGE_SIZES = [25, 50, 100, 200] as const;
export const DEFAULT_PAGE_SIZE = 50;
export const DEFAULT_SORT: DeploymentSortField = 'cluster';

export const CHART_GROUPINGS = ['cluster', 'tool'] as const;
export type ChartGrouping = (typeof CHART_GROUPINGS)[number];

/** The server's limits (openapi.yaml): `commit` 1–64 hex characters, trace 4–64, `q` 200. */
export const COMMIT_FILTER_PATTERN = /^[0-9a-f]{1,64}$/i;
export const TRACE_PATTERN = /^[0-9a-f]{4,64}$/i;
export const MAX_QUERY_LENGTH = 200;

export interface DeploymentsView {
  /** Only non-empty fields are set. */
  filter: DeploymentsFilter;
  sort: DeploymentSortField;
  order: 'asc' | 'desc';
  /** 0-based, as TablePagination counts. */
  page: number;
  pageSize: number;
  /** Commit sha or prefix whose trace is shown. */
  trace?: string;
  chartBy: ChartGrouping;
}

const OWN_KEYS = [
  ...LIST_FIELDS,
  'q',
  'commit',
  'sort',
  'order',
  'page',
  'size',
  'trace',
  'by',
];

function positiveInt(text: string | null): number | undefined {
  if (!text || !/^\d{1,9}$/.test(text)) return undefined;
  const n = Number(text);
  return n > 0 ? n : undefined;
}

/** The view a query string describes; values the server would refuse are dropped, not sent. */
export function parseView(params: URLSearchParams): DeploymentsView {
  const filter: DeploymentsFilter = {};
  for (const field of LIST_FIELDS) {
    const values = [
      ...new Set(params.getAll(field).filter(v => v.trim() !== '')),
    ];
    if (values.length) filter[field] = values;
  }
  const q = params.get('q')?.trim().slice(0, MAX_QUERY_LENGTH);
  if (q) filter.q = q;
  const commit = params.get('commit')?.trim().toLocaleLowerCase('en-US');
  if (commit && COMMIT_FILTER_PATTERN.test(commit)) filter.commit = commit;

  const sortParam = params.get('sort') as DeploymentSortField | null;
  const sort =
    sortParam && DEPLOYMENT_SORT_FIELDS.includes(sortParam)
      ? sortParam
      : DEFAULT_SORT;
  const order = params.get('order') === 'desc' ? 'desc' : 'asc';
  const size = positiveInt(params.get('size'));
  const pageSize = (PAGE_SIZES as readonly number[]).includes(size ?? 0)
    ? size!
    : DEFAULT_PAGE_SIZE;
  const page = (positiveInt(params.get('page')) ?? 1) - 1;
  const traceParam = params.get('trace')?.trim().toLocaleLowerCase('en-US');
  const by = params.get('by') === 'tool' ? 'tool' : 'cluster';
  return {
    filter,
    sort,
    order,
    page,
    pageSize,
    trace: traceParam || undefined,
    chartBy: by,
  };
}

/**
 * The query string of a view. Parameters the page does not own (added by someone else's link)
 * are kept.
 */
export function viewToParams(
  view: DeploymentsView,
  base: URLSearchParams = new URLSearchParams(),
): URLSearchParams {
  const params = new URLSearchParams();
  base.forEach((value, key) => {
    if (!OWN_KEYS.includes(key)) params.append(key, value);
  });
  for (const field of LIST_FIELDS) {
    for (const value of view.filter[field] ?? []) params.append(field, value);
  }
  if (view.filter.q) params.set('q', view.filter.q);
  if (view.filter.commit) params.set('commit', view.filter.commit);
  if (view.sort !== DEFAULT_SORT || view.order !== 'asc') {
    params.set('sort', view.sort);
    params.set('order', view.order);
  }
  if (view.page > 0) params.set('page', String(view.page + 1));
  if (view.pageSize !== DEFAULT_PAGE_SIZE) {
    params.set('size', String(view.pageSize));
  }
  if (view.chartBy !== 'cluster') params.set('by', view.chartBy);
  if (view.trace) params.set('trace', view.trace);
  return params;
}

/** Is any filter set (what "Clear filters" would remove)? */
export function hasFilter(filter: DeploymentsFilter): boolean {
  return Object.values(filter).some(v =>
    Array.isArray(v) ? v.length > 0 : Boolean(v),
  );
}

/** The filter with one field set, or removed when empty. */
export function withField<K extends keyof DeploymentsFilter>(
  filter: DeploymentsFilter,
  field: K,
  value: DeploymentsFilter[K] | undefined,
): DeploymentsFilter {
  const next = { ...filter };
  if (
    value === undefined ||
    value === '' ||
    (Array.isArray(value) && !value.length)
  ) {
    delete next[field];
  } else {
    next[field] = value;
  }
  return next;
}

/** A stable key of a filter, for effects and caches. */
export function filterKey(filter: DeploymentsFilter): string {
  return viewToParams({
    filter,
    sort: DEFAULT_SORT,
    order: 'asc',
    page: 0,
    pageSize: DEFAULT_PAGE_SIZE,
    chartBy: 'cluster',
  }).toString();
}
