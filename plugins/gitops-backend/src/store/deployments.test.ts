import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import {
  DEPLOYMENT_FACETS,
  deriveState,
  type DeploymentsFilter,
  type GitOpsRecord,
} from '@gitops-status/plugin-gitops-common';
import { mergeObservations } from '../merge/merge';
import { recordId } from '../merge/identity';
import { GitOpsStore } from './GitOpsStore';
import { countDeploymentStates, type DeploymentsQuery } from './deployments';

jest.setTimeout(60_000);

/** A page as the router assembles it: the rows and the total under the same filter. */
async function readPage(store: GitOpsStore, query: DeploymentsQuery) {
  return {
    items: await store.listDeploymentRows(query),
    totalItems: await store.countDeployments(query),
  };
}

const SHAS = ['aaaa1111', 'bbbb2222', 'cccc3333'].map(p => p.padEnd(40, '0'));

function kindOf(i: number, tool: string): string {
  if (tool === 'argocd') return 'Application';
  return i % 2 ? 'Kustomization' : 'HelmRelease';
}

/** A fleet built by rule, so expectations can be computed from the same plain array. */
function fleet(): Array<{ record: GitOpsRecord; entity: string }> {
  const out: Array<{ record: GitOpsRecord; entity: string }> = [];
  const clusters = ['dev', 'staging', 'prod'];
  const healths = ['Healthy', 'Degraded', 'Progressing', 'Healthy'] as const;
  for (let i = 0; i < 120; i++) {
    const tool = i % 3 === 0 ? 'argocd' : 'flux';
    const base = {
      tool,
      cluster: clusters[i % 3],
      namespace: `ns-${i % 4}`,
      kind: kindOf(i, tool),
      name: `svc-${i}`,
      sync: i % 5 === 0 ? 'OutOfSync' : 'Synced',
      health: healths[i % 4],
      compliance: 'Compliant',
      suspended: false,
      revision: {
        commit: SHAS[i % 3],
        attempted: i % 10 === 0 ? `main@sha1:${SHAS[(i + 1) % 3]}` : undefined,
        repoUrl: 'https://github.com/example-org/apps',
      },
      conditions: [],
      dependsOn: [],
      labels: {},
      sources: ['kubernetes'],
      observedAt: '2026-11-23T10:00:00.000Z',
      lastReconciledAt: new Date(Date.UTC(2026, 10, 23, 0, i)).toISOString(),
      links: [],
    } as unknown as GitOpsRecord;
    out.push({
      record: { ...base, state: deriveState(base) },
      entity: `component:default/app-${i % 6}`,
    });
  }
  return out;
}

const owners: Record<string, string> = {
  'component:default/app-0': 'group:default/team-a',
  'component:default/app-1': 'group:default/team-a',
  'component:default/app-2': 'group:default/team-b',
  'component:default/app-3': 'group:default/team-b',
  'component:default/app-4': 'group:default/team-c',
  'component:default/app-5': 'group:default/team-c',
};

describe('deployments queries', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
  const data = fleet();

  async function seeded(databaseId: any) {
    return (await seededWithKnex(databaseId)).store;
  }

  async function seededWithKnex(databaseId: any) {
    const knex = await databases.init(databaseId);
    const store = await GitOpsStore.create({
      database: mockServices.database({ knex, migrations: { skip: false } }),
    });
    await store.applyTargetSnapshot(
      'kubernetes:all',
      data.map(d => d.record),
      mergeObservations,
    );
    await store.setBindings(
      new Map(data.map(d => [recordId(d.record), [d.entity]])),
    );
    await store.replaceEntities(
      Object.entries(owners).map(([entityRef, owner]) => ({
        entityRef,
        owner,
        system: `system:default/${
          owner.endsWith('team-c') ? 'backoffice' : 'shop'
        }`,
      })),
    );
    return { store, knex };
  }

  const systemOf = (entity: string) =>
    `system:default/${
      owners[entity].endsWith('team-c') ? 'backoffice' : 'shop'
    }`;

  /** The same filter, evaluated in plain JavaScript over the seeded array. */
  function expected(filter: DeploymentsFilter, allowed?: string[]) {
    return data.filter(({ record: r, entity }) => {
      const inList = (values: string[] | undefined, v: string) =>
        !values?.length || values.includes(v);
      return (
        inList(filter.tool, r.tool) &&
        inList(filter.cluster, r.cluster) &&
        inList(filter.state, r.state) &&
        inList(filter.sync, r.sync) &&
        inList(filter.kind, r.kind) &&
        inList(filter.owner, owners[entity]) &&
        inList(filter.system, systemOf(entity)) &&
        (!filter.commit || r.revision.commit!.startsWith(filter.commit)) &&
        (!filter.q || r.name.includes(filter.q)) &&
        (!allowed || allowed.includes(entity))
      );
    });
  }

  const cases: Array<[string, DeploymentsFilter]> = [
    ['no filter', {}],
    ['tool', { tool: ['argocd'] }],
    ['cluster (two values)', { cluster: ['dev', 'prod'] }],
    ['state', { state: ['error'] }],
    ['sync', { sync: ['OutOfSync'] }],
    ['kind', { kind: ['HelmRelease'] }],
    ['owner', { owner: ['group:default/team-b'] }],
    ['system', { system: ['system:default/backoffice'] }],
    [
      'owner and system',
      {
        owner: ['group:default/team-a', 'group:default/team-c'],
        system: ['system:default/shop'],
      },
    ],
    ['commit prefix', { commit: 'bbbb' }],
    ['free text', { q: 'svc-1' }],
    [
      'combination',
      {
        tool: ['flux'],
        cluster: ['staging'],
        owner: ['group:default/team-a', 'group:default/team-c'],
        state: ['ok', 'error'],
      },
    ],
  ];

  it.each(databases.eachSupportedId())(
    'filters, alone and combined, on %p',
    async databaseId => {
      const store = await seeded(databaseId);
      for (const [, filter] of cases) {
        const page = await readPage(store, {
          filter,
          offset: 0,
          limit: 500,
        });
        const want = expected(filter)
          .map(d => d.record.name)
          .sort();
        expect([JSON.stringify(filter), page.totalItems]).toEqual([
          JSON.stringify(filter),
          want.length,
        ]);
        expect(page.items.map(i => i.record.name).sort()).toEqual(want);
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'pages stably in the requested order, on %p',
    async databaseId => {
      const store = await seeded(databaseId);
      const seen: string[] = [];
      for (let offset = 0; offset < 200; offset += 7) {
        const page = await readPage(store, {
          filter: {},
          sort: 'lastReconciledAt',
          order: 'desc',
          offset,
          limit: 7,
        });
        seen.push(...page.items.map(i => i.record.name));
      }
      const want = [...data]
        .sort((a, b) =>
          b.record.lastReconciledAt!.localeCompare(a.record.lastReconciledAt!),
        )
        .map(d => d.record.name);
      expect(seen).toEqual(want);
      // Rows carry their entity, owner and system.
      const first = (
        await readPage(store, {
          filter: { q: 'svc-7' },
          offset: 0,
          limit: 1,
          sort: 'name',
        })
      ).items[0];
      expect(first).toMatchObject({
        entityRefs: ['component:default/app-1'],
        owners: ['group:default/team-a'],
        systems: ['system:default/shop'],
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'counts facet values under every other filter, on %p',
    async databaseId => {
      const store = await seeded(databaseId);
      const filter: DeploymentsFilter = { cluster: ['dev'], state: ['ok'] };
      const facets = await store.facetDeployments(
        { filter },
        DEPLOYMENT_FACETS,
      );
      // Computed at once, answered in the order asked (an answer's bytes must not vary).
      expect(Object.keys(facets)).toEqual([...DEPLOYMENT_FACETS]);
      const reversed = [...DEPLOYMENT_FACETS].reverse();
      expect(
        Object.keys(await store.facetDeployments({ filter }, reversed)),
      ).toEqual(reversed);
      // The cluster facet ignores the cluster filter: counts per cluster with state ok.
      for (const c of ['dev', 'staging', 'prod']) {
        expect(facets.cluster.find(f => f.value === c)?.count).toBe(
          expected({ state: ['ok'], cluster: [c] }).length,
        );
      }
      // The owner facet applies both filters.
      for (const o of [
        'group:default/team-a',
        'group:default/team-b',
        'group:default/team-c',
      ]) {
        const n = expected({ ...filter, owner: [o] }).length;
        expect(facets.owner.find(f => f.value === o)?.count ?? 0).toBe(n);
      }
      expect(facets.tool.reduce((n, f) => n + f.count, 0)).toBe(
        expected(filter).length,
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'counts rows per cluster and state and per tool and state under the whole filter, on %p',
    async databaseId => {
      const { knex } = await seededWithKnex(databaseId);
      const tally = (
        rows: ReturnType<typeof expected>,
        by: 'cluster' | 'tool',
      ) => {
        const counts = new Map<string, number>();
        for (const { record } of rows) {
          const k = `${record[by]}|${record.state}`;
          counts.set(k, (counts.get(k) ?? 0) + 1);
        }
        return [...counts]
          .map(([k, count]) => {
            const [value, state] = k.split('|');
            return { value, state, count };
          })
          .sort(
            (a, b) =>
              a.value.localeCompare(b.value) || a.state.localeCompare(b.state),
          );
      };
      for (const filter of [
        {},
        { cluster: ['dev'], state: ['ok', 'error'] },
        { owner: ['group:default/team-b'], tool: ['flux'] },
      ] as DeploymentsFilter[]) {
        const counts = await countDeploymentStates(knex, { filter });
        expect(Object.keys(counts)).toEqual(['cluster', 'tool']);
        expect([filter, counts]).toEqual([
          filter,
          {
            cluster: tally(expected(filter), 'cluster'),
            tool: tally(expected(filter), 'tool'),
          },
        ]);
      }
      const allowed = ['component:default/app-2'];
      expect(
        await countDeploymentStates(knex, {
          filter: {},
          allowedEntityRefs: allowed,
        }),
      ).toEqual({
        cluster: tally(expected({}, allowed), 'cluster'),
        tool: tally(expected({}, allowed), 'tool'),
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'neither returns nor counts what the caller may not read, on %p',
    async databaseId => {
      const store = await seeded(databaseId);
      const allowed = ['component:default/app-2', 'component:default/app-3'];
      const page = await readPage(store, {
        filter: {},
        allowedEntityRefs: allowed,
        offset: 0,
        limit: 500,
      });
      expect(page.totalItems).toBe(expected({}, allowed).length);
      expect(new Set(page.items.flatMap(i => i.entityRefs))).toEqual(
        new Set(allowed),
      );
      const facets = await store.facetDeployments(
        { filter: {}, allowedEntityRefs: allowed },
        ['owner', 'cluster'],
      );
      expect(facets.owner).toEqual([
        { value: 'group:default/team-b', count: expected({}, allowed).length },
      ]);
      expect(facets.cluster.reduce((n, f) => n + f.count, 0)).toBe(
        expected({}, allowed).length,
      );
      expect(
        (
          await readPage(store, {
            filter: {},
            allowedEntityRefs: [],
            offset: 0,
            limit: 10,
          })
        ).totalItems,
      ).toBe(0);
    },
  );

  it.each(databases.eachSupportedId())(
    'traces where a commit is applied, attempted and behind, on %p',
    async databaseId => {
      const store = await seeded(databaseId);
      const trace = await store.traceCommit('bbbb');
      expect(trace.resolved).toBe(SHAS[1]);
      const names = (rows: typeof trace.applied) =>
        rows.map(r => r.record.name).sort();
      expect(names(trace.applied)).toEqual(
        data
          .filter(d => d.record.revision.commit === SHAS[1])
          .map(d => d.record.name)
          .sort(),
      );
      expect(names(trace.attempting)).toEqual(
        data
          .filter(
            d =>
              d.record.revision.commit !== SHAS[1] &&
              d.record.revision.attempted?.includes(SHAS[1]),
          )
          .map(d => d.record.name)
          .sort(),
      );
      expect(
        trace.applied.length + trace.attempting.length + trace.behind.length,
      ).toBe(data.length);
      // Wildcards in the prefix cannot widen the match.
      expect((await store.traceCommit('%')).applied).toEqual([]);
    },
  );
});
