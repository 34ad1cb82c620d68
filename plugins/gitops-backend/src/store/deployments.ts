import type { Knex } from 'knex';
import type {
  CommitTraceResponse,
  DeploymentFacet,
  DeploymentRow,
  DeploymentsFilter,
  DeploymentSortField,
  GitOpsRecord,
  GitOpsState,
} from '@gitops-status/plugin-gitops-common';

/** Columns of gitops_records a filter or facet maps to directly. */
const RECORD_COLUMNS = {
  tool: 'tool',
  cluster: 'cluster',
  namespace: 'namespace',
  kind: 'kind',
  state: 'state',
  sync: 'sync',
  health: 'health',
  compliance: 'compliance',
} as const;

const ENTITY_COLUMNS = { owner: 'owner', system: 'system' } as const;

const SORT_COLUMNS: Record<DeploymentSortField, string> = {
  cluster: 'r.cluster',
  name: 'r.name',
  namespace: 'r.namespace',
  kind: 'r.kind',
  tool: 'r.tool',
  state: 'r.state',
  lastReconciledAt: 'r.last_reconciled_at',
};

export interface DeploymentsQuery {
  filter: DeploymentsFilter;
  /** Entities whose objects the caller may see; undefined = no restriction. */
  allowedEntityRefs?: string[];
  sort?: DeploymentSortField;
  order?: 'asc' | 'desc';
  offset: number;
  limit: number;
}

/** Escapes LIKE wildcards in user text. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, m => `\\${m}`);
}

/**
 * The WHERE part shared by items, counts and facets. `except` leaves out one facet's own filter,
 * so a facet counts what choosing another of its values would give.
 */
function applyFilter(
  db: Knex,
  q: Knex.QueryBuilder,
  query: Pick<DeploymentsQuery, 'filter' | 'allowedEntityRefs'>,
  except?: DeploymentFacet,
): Knex.QueryBuilder {
  const { filter, allowedEntityRefs } = query;
  for (const [field, column] of Object.entries(RECORD_COLUMNS)) {
    const values = filter[field as keyof typeof RECORD_COLUMNS];
    if (values?.length && field !== except) q.whereIn(`r.${column}`, values);
  }
  for (const [field, column] of Object.entries(ENTITY_COLUMNS)) {
    const values = filter[field as keyof typeof ENTITY_COLUMNS];
    if (values?.length && field !== except) {
      // Uncorrelated on purpose: as a correlated EXISTS, SQLite walks the owner index once per
      // record (seconds at 10,000 records); as a set it is computed once.
      q.whereIn(
        'r.record_id',
        db('gitops_entity_bindings as fb')
          .join('gitops_entities as fe', 'fe.entity_ref', 'fb.entity_ref')
          .whereIn(
            `fe.${column}`,
            values.map(v => v.toLocaleLowerCase('en-US')),
          )
          .select('fb.record_id'),
      );
    }
  }
  if (filter.entity?.length) {
    q.whereExists(
      db('gitops_entity_bindings as eb')
        .whereRaw('eb.record_id = r.record_id')
        .whereIn(
          'eb.entity_ref',
          filter.entity.map(v => v.toLocaleLowerCase('en-US')),
        ),
    );
  }
  if (allowedEntityRefs) {
    q.whereExists(
      db('gitops_entity_bindings as ab')
        .whereRaw('ab.record_id = r.record_id')
        .whereIn('ab.entity_ref', allowedEntityRefs),
    );
  }
  if (filter.commit) {
    q.where(
      'r.commit',
      'like',
      `${likeEscape(filter.commit.toLocaleLowerCase('en-US'))}%`,
    );
  }
  if (filter.q) {
    const text = `%${likeEscape(filter.q.toLocaleLowerCase('en-US'))}%`;
    q.where(w =>
      w
        .whereRaw(`lower(r.name) like ? escape '\\'`, [text])
        .orWhereRaw(`lower(r.namespace) like ? escape '\\'`, [text])
        .orWhereRaw(`lower(r.cluster) like ? escape '\\'`, [text])
        .orWhereRaw(`lower(r.kind) like ? escape '\\'`, [text]),
    );
  }
  return q;
}

/** The entities, owners and systems of a page of records. */
async function withEntities(
  db: Knex,
  rows: Array<{ record_id: string; data: string }>,
): Promise<DeploymentRow[]> {
  const refs = new Map<
    string,
    { entityRefs: Set<string>; owners: Set<string>; systems: Set<string> }
  >();
  for (const row of rows) {
    refs.set(row.record_id, {
      entityRefs: new Set(),
      owners: new Set(),
      systems: new Set(),
    });
  }
  for (let i = 0; i < rows.length; i += 400) {
    const batch = rows.slice(i, i + 400).map(r => r.record_id);
    const bound = await db('gitops_entity_bindings as b')
      .leftJoin('gitops_entities as e', 'e.entity_ref', 'b.entity_ref')
      .whereIn('b.record_id', batch)
      .select('b.record_id', 'b.entity_ref', 'e.owner', 'e.system');
    for (const b of bound) {
      const entry = refs.get(b.record_id)!;
      entry.entityRefs.add(b.entity_ref);
      if (b.owner) entry.owners.add(b.owner);
      if (b.system) entry.systems.add(b.system);
    }
  }
  return rows.map(row => {
    const entry = refs.get(row.record_id)!;
    return {
      record: JSON.parse(row.data) as GitOpsRecord,
      entityRefs: [...entry.entityRefs].sort(),
      owners: [...entry.owners].sort(),
      systems: [...entry.systems].sort(),
    };
  });
}

/** One page of the records under the filter, sorted, with their entities, owners and systems. */
export async function listDeploymentRows(
  db: Knex,
  query: DeploymentsQuery,
): Promise<DeploymentRow[]> {
  const sortColumn = SORT_COLUMNS[query.sort ?? 'cluster'];
  const order = query.order ?? 'asc';
  const rows = await applyFilter(db, db('gitops_records as r'), query)
    .select('r.record_id', 'r.data')
    // record_id breaks ties, so pages are stable while the data does not change.
    .orderBy([
      { column: sortColumn, order },
      { column: 'r.record_id', order: 'asc' },
    ])
    .offset(query.offset)
    .limit(query.limit);
  return withEntities(db, rows);
}

/** How many records the filter matches. */
export async function countDeployments(
  db: Knex,
  query: Pick<DeploymentsQuery, 'filter' | 'allowedEntityRefs'>,
): Promise<number> {
  const [{ n }] = await applyFilter(db, db('gitops_records as r'), query).count(
    { n: '*' },
  );
  return Number(n);
}

export async function facetDeployments(
  db: Knex,
  query: Pick<DeploymentsQuery, 'filter' | 'allowedEntityRefs'>,
  facets: readonly DeploymentFacet[],
): Promise<Record<DeploymentFacet, Array<{ value: string; count: number }>>> {
  const out = {} as Record<
    DeploymentFacet,
    Array<{ value: string; count: number }>
  >;
  // One query per facet, all at once: PostgreSQL runs them on as many pooled connections
  // (SQLite's one connection takes them in turn, as before).
  await Promise.all(
    facets.map(async facet => {
      let rows: Array<{ value: string | null; count: number | string }>;
      if (facet === 'owner' || facet === 'system') {
        rows = await applyFilter(
          db,
          db('gitops_records as r')
            .join('gitops_entity_bindings as gb', 'gb.record_id', 'r.record_id')
            .join('gitops_entities as ge', 'ge.entity_ref', 'gb.entity_ref'),
          query,
          facet,
        )
          .whereNotNull(`ge.${facet}`)
          .select({ value: `ge.${facet}` })
          .countDistinct({ count: 'r.record_id' })
          .groupBy(`ge.${facet}`);
      } else {
        rows = await applyFilter(db, db('gitops_records as r'), query, facet)
          .select({ value: `r.${RECORD_COLUMNS[facet]}` })
          .count({ count: '*' })
          .groupBy(`r.${RECORD_COLUMNS[facet]}`);
      }
      out[facet] = rows
        .filter(r => r.value !== null)
        .map(r => ({ value: String(r.value), count: Number(r.count) }))
        .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
    }),
  );
  // Keys in the order asked: the answer's bytes must not depend on which query finished first.
  return Object.fromEntries(facets.map(f => [f, out[f]])) as typeof out;
}

/** Groupings of the deployments view's state chart. */
export const STATE_COUNT_GROUPINGS = ['cluster', 'tool'] as const;

export type StateCountGrouping = (typeof STATE_COUNT_GROUPINGS)[number];

/** Rows counted per value of a grouping and state. */
export type StateCounts = Record<
  StateCountGrouping,
  Array<{ value: string; state: GitOpsState; count: number }>
>;

/**
 * Rows matching the whole filter (unlike facets, nothing left out), counted per cluster and state
 * and per tool and state: everything the state chart draws, in the same answer as the table.
 */
export async function countDeploymentStates(
  db: Knex,
  query: Pick<DeploymentsQuery, 'filter' | 'allowedEntityRefs'>,
): Promise<StateCounts> {
  const out = {} as StateCounts;
  await Promise.all(
    STATE_COUNT_GROUPINGS.map(async by => {
      const column = `r.${RECORD_COLUMNS[by]}`;
      const rows: Array<{
        value: string | null;
        state: string | null;
        count: number | string;
      }> = await applyFilter(db, db('gitops_records as r'), query)
        .select({ value: column, state: 'r.state' })
        .count({ count: '*' })
        .groupBy(column, 'r.state');
      out[by] = rows
        .filter(r => r.value !== null && r.state !== null)
        .map(r => ({
          value: String(r.value),
          state: String(r.state) as GitOpsState,
          count: Number(r.count),
        }))
        .sort(
          (a, b) =>
            a.value.localeCompare(b.value) || a.state.localeCompare(b.state),
        );
    }),
  );
  // Keys in a fixed order: the answer's bytes must not depend on which query finished first.
  return Object.fromEntries(
    STATE_COUNT_GROUPINGS.map(by => [by, out[by]]),
  ) as StateCounts;
}

/**
 * Where a commit has landed: objects that applied it, that are attempting it, and objects deploying
 * from the same repositories that run something else.
 */
export async function traceCommit(
  db: Knex,
  prefix: string,
  allowedEntityRefs: string[] | undefined,
): Promise<CommitTraceResponse> {
  const base = () =>
    applyFilter(db, db('gitops_records as r'), {
      filter: {},
      allowedEntityRefs,
    });
  const like = `${likeEscape(prefix)}%`;
  const order = [{ column: 'r.cluster' }, { column: 'r.record_id' }];
  const applied = await base()
    .where('r.commit', 'like', like)
    .select('r.record_id', 'r.data', 'r.commit', 'r.repo_url')
    .orderBy(order);
  const attempting = await base()
    .where('r.attempted', 'like', `%${likeEscape(prefix)}%`)
    .where(w => w.whereNull('r.commit').orWhere('r.commit', 'not like', like))
    .select('r.record_id', 'r.data', 'r.repo_url')
    .orderBy(order);
  const repos = [
    ...new Set(
      [...applied, ...attempting].map(r => r.repo_url).filter(Boolean),
    ),
  ] as string[];
  const seen = new Set([...applied, ...attempting].map(r => r.record_id));
  const behind = repos.length
    ? (
        await base()
          .whereIn('r.repo_url', repos)
          .select('r.record_id', 'r.data')
          .orderBy(order)
      ).filter((r: { record_id: string }) => !seen.has(r.record_id))
    : [];
  const commits: string[] = [
    ...new Set<string>(applied.map((r: { commit: string }) => r.commit)),
  ];
  return {
    commit: prefix,
    resolved: commits.length === 1 ? commits[0] : undefined,
    applied: await withEntities(db, applied),
    attempting: await withEntities(db, attempting),
    behind: await withEntities(db, behind),
  };
}
