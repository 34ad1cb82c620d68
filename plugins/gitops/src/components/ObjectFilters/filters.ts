import {
  STATE_SEVERITY_ORDER,
  type GitOpsRecord,
  type GitOpsState,
} from '@gitops-status/plugin-gitops-common';

/** The tab's filters; an unset field shows every value. */
export interface ObjectFilter {
  cluster?: string;
  tool?: string;
  state?: GitOpsState;
}

export type FilterField = keyof ObjectFilter;

export const FILTER_FIELDS: readonly FilterField[] = [
  'cluster',
  'tool',
  'state',
];

function matches(
  record: GitOpsRecord,
  filter: ObjectFilter,
  ignore?: FilterField,
): boolean {
  return FILTER_FIELDS.every(
    f => f === ignore || !filter[f] || record[f] === filter[f],
  );
}

export function filterRecords(
  records: readonly GitOpsRecord[],
  filter: ObjectFilter,
): GitOpsRecord[] {
  return records.filter(r => matches(r, filter));
}

/** Values of one field with how many objects each would show. */
export type FacetCounts = Record<FilterField, Array<[string, number]>>;

/**
 * Per field, every value present in the records, counted over the objects the other filters
 * keep: the count is what choosing that value shows. Values stay listed (with 0) so a choice can
 * always be undone from the same list.
 */
export function facetCounts(
  records: readonly GitOpsRecord[],
  filter: ObjectFilter,
): FacetCounts {
  const counts = {} as FacetCounts;
  for (const field of FILTER_FIELDS) {
    const byValue = new Map<string, number>();
    for (const r of records) {
      const value = r[field];
      if (!byValue.has(value)) byValue.set(value, 0);
      if (matches(r, filter, field))
        byValue.set(value, byValue.get(value)! + 1);
    }
    const entries = [...byValue.entries()];
    entries.sort(
      field === 'state'
        ? (a, b) =>
            STATE_SEVERITY_ORDER.indexOf(a[0] as GitOpsState) -
            STATE_SEVERITY_ORDER.indexOf(b[0] as GitOpsState)
        : (a, b) => a[0].localeCompare(b[0]),
    );
    counts[field] = entries;
  }
  return counts;
}
