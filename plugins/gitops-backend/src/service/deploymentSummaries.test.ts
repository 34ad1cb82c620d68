import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { record as fixture } from '../alerts/__testUtils__/fixtures';
import { mergeObservations } from '../merge/merge';
import { recordId } from '../merge/identity';
import { GitOpsStore } from '../store/GitOpsStore';
import { DeploymentSummaries } from './deploymentSummaries';

jest.setTimeout(60_000);

const record = (name: string, over: Parameters<typeof fixture>[0] = {}) =>
  fixture({ name, namespace: 'apps', ...over });

const degraded = { health: 'Degraded', reason: 'HealthCheckFailed' } as const;

/** A store whose summary reads are counted and can be held or made to fail. */
function fakeStore() {
  let version = 1;
  const calls = { count: 0, facets: 0, states: 0 };
  let gate: Promise<void> = Promise.resolve();
  let failNext = false;
  const store = {
    readSummaryVersion: async () => String(version),
    countDeployments: async () => {
      calls.count++;
      await gate;
      if (failNext) {
        failNext = false;
        throw new Error('database went away');
      }
      return 10 * version;
    },
    facetDeployments: async () => {
      calls.facets++;
      return { tool: [{ value: 'flux', count: version }] } as any;
    },
    countDeploymentStates: async () => {
      calls.states++;
      return { cluster: [], tool: [] };
    },
  };
  return {
    store,
    calls,
    setVersion: (v: number) => {
      version = v;
    },
    hold: () => {
      let release!: () => void;
      gate = new Promise(r => {
        release = r;
      });
      return release;
    },
    failNext: () => {
      failNext = true;
    },
  };
}

describe('DeploymentSummaries', () => {
  it('computes a summary once per filter and visible set until the store version moves', async () => {
    const f = fakeStore();
    const summaries = new DeploymentSummaries(f.store, ['tool']);
    const all = { filter: {} };
    const errors = { filter: { state: ['error', 'warning'] } };

    expect((await summaries.get(all)).totalItems).toBe(10);
    expect((await summaries.get(all)).totalItems).toBe(10);
    expect(f.calls).toEqual({ count: 1, facets: 1, states: 1 });

    // The same values in another order are the same filter; another filter is computed apart.
    await summaries.get(errors);
    await summaries.get({ filter: { state: ['warning', 'error'] } });
    expect(f.calls.count).toBe(2);

    // Callers who may see different entities never share a summary.
    await summaries.get({
      filter: {},
      allowedEntityRefs: ['component:default/a'],
    });
    await summaries.get({
      filter: {},
      allowedEntityRefs: ['component:default/b'],
    });
    await summaries.get({ filter: {}, allowedEntityRefs: [] });
    expect(f.calls.count).toBe(5);
    await summaries.get({
      filter: {},
      allowedEntityRefs: ['component:default/a'],
    });
    expect(f.calls.count).toBe(5);

    f.setVersion(2);
    const after = await summaries.get(all);
    expect(after.totalItems).toBe(20);
    expect(after.facets.tool).toEqual([{ value: 'flux', count: 2 }]);
    expect(f.calls.count).toBe(6);
  });

  it('shares one computation between requests that arrive while it runs, and forgets a failure', async () => {
    const f = fakeStore();
    const summaries = new DeploymentSummaries(f.store, ['tool']);
    const release = f.hold();
    const pending = [1, 2, 3].map(() => summaries.get({ filter: {} }));
    await new Promise(r => setImmediate(r));
    release();
    expect((await Promise.all(pending)).map(s => s.totalItems)).toEqual([
      10, 10, 10,
    ]);
    expect(f.calls.count).toBe(1);

    f.setVersion(2);
    f.failNext();
    await expect(summaries.get({ filter: {} })).rejects.toThrow(
      'database went away',
    );
    expect((await summaries.get({ filter: {} })).totalItems).toBe(20);
    expect(f.calls.count).toBe(3);
  });

  it('keeps at most maxEntries summaries, dropping the least recently used', async () => {
    const f = fakeStore();
    const summaries = new DeploymentSummaries(f.store, ['tool'], 2);
    const a = { filter: { cluster: ['a'] } };
    const b = { filter: { cluster: ['b'] } };
    const c = { filter: { cluster: ['c'] } };
    await summaries.get(a);
    await summaries.get(b);
    await summaries.get(a); // a is now the most recent
    await summaries.get(c); // drops b
    expect(f.calls.count).toBe(3);
    await summaries.get(a);
    expect(f.calls.count).toBe(3);
    await summaries.get(b);
    expect(f.calls.count).toBe(4);
  });

  describe('on a real store', () => {
    const databases = TestDatabases.create({
      ids: ['SQLITE_3', 'POSTGRES_15'],
    });

    it.each(databases.eachSupportedId())(
      'answers like the store itself after every kind of write, on %p',
      async databaseId => {
        const knex = await databases.init(databaseId);
        const store = await GitOpsStore.create({
          database: mockServices.database({
            knex,
            migrations: { skip: false },
          }),
        });
        // A second store on the same database: another replica's writes.
        const replica = await GitOpsStore.create({
          database: mockServices.database({ knex, migrations: { skip: true } }),
        });
        const summaries = new DeploymentSummaries(store, ['state', 'owner']);
        const expectFresh = async (
          query: Parameters<DeploymentSummaries['get']>[0],
        ) => {
          const cached = await summaries.get(query);
          expect(cached).toEqual({
            totalItems: await store.countDeployments(query),
            facets: await store.facetDeployments(query, ['state', 'owner']),
            stateCounts: await store.countDeploymentStates(query),
          });
          return cached;
        };
        const a = record('a');
        const b = record('b');

        await replica.applyTargetSnapshot(
          'kubernetes:dev',
          [a, b],
          mergeObservations,
        );
        expect((await expectFresh({ filter: {} })).totalItems).toBe(2);
        await expectFresh({ filter: { owner: ['group:default/team-a'] } });

        await replica.applyTargetSnapshot(
          'kubernetes:dev',
          [a, record('b', degraded)],
          mergeObservations,
        );
        const afterChange = await expectFresh({ filter: {} });
        expect(afterChange.facets.state).toEqual([
          { value: 'error', count: 1 },
          { value: 'ok', count: 1 },
        ]);

        await replica.setBindings(
          new Map([[recordId(a), ['component:default/a']]]),
        );
        // Bound, but the entity's owner is not known yet.
        expect(
          (await expectFresh({ filter: { owner: ['group:default/team-a'] } }))
            .totalItems,
        ).toBe(0);
        await replica.replaceEntities([
          { entityRef: 'component:default/a', owner: 'group:default/team-a' },
        ]);
        const owned = await expectFresh({
          filter: { owner: ['group:default/team-a'] },
        });
        expect(owned.totalItems).toBe(1);

        await replica.applyTargetSnapshot(
          'kubernetes:dev',
          [record('b', degraded)],
          mergeObservations,
        );
        expect(
          (await expectFresh({ filter: { owner: ['group:default/team-a'] } }))
            .totalItems,
        ).toBe(0);
        expect((await expectFresh({ filter: {} })).totalItems).toBe(1);
      },
    );
  });
});
