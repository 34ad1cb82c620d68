import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import type {
  GitOpsRecord,
  SourceHealth,
} from '@gitops-status/plugin-gitops-common';
import knexFactory, { type Knex } from 'knex';
import { AlertEvaluator } from '../alerts/AlertEvaluator';
import { AlertStore } from './AlertStore';
import type { AlertRulesConfig } from '../alerts/config';
import { evaluateAlerts } from '../alerts/rules';
import type { AlertTransition } from '../alerts/types';
import {
  alertsConfig,
  FakeClock,
  failing,
  health,
  HOUR,
  MINUTE,
  record,
} from '../alerts/__testUtils__/fixtures';

jest.setTimeout(60_000);

/** What the sources currently report, shared by every evaluator of a test. */
class World {
  records: GitOpsRecord[] = [record()];
  sourceHealth: SourceHealth[] = [health()];
  good() {
    this.records = [record()];
  }
  bad() {
    this.records = [failing({ entityRefs: ['component:default/apps'] })];
  }
}

describe('AlertStore and AlertEvaluator', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
  const extraClients: Knex[] = [];

  afterAll(async () => {
    await Promise.all(extraClients.map(k => k.destroy()));
  });

  async function setup(databaseId: any) {
    const knex = await databases.init(databaseId);
    const database = mockServices.database({
      knex,
      migrations: { skip: false },
    });
    await AlertStore.create({ database });
    return knex;
  }

  /**
   * Another backend replica on the same database: its own connection pool on PostgreSQL; the
   * same client on SQLite (an in-memory database lives in one connection).
   */
  function replicaClient(knex: Knex): Knex {
    if (knex.client.config.client !== 'pg') return knex;
    const other = knexFactory(knex.client.config);
    extraClients.push(other);
    return other;
  }

  function evaluator(
    knex: Knex,
    world: World,
    clock: FakeClock,
    config: AlertRulesConfig = alertsConfig(),
  ) {
    return new AlertEvaluator({
      store: new AlertStore(knex),
      readInputs: async () => ({ records: world.records }),
      listSourceHealth: async () => world.sourceHealth,
      config,
      now: clock.now,
    });
  }

  async function events(knex: Knex) {
    return (await new AlertStore(knex).listEvents()).reverse();
  }

  /** The Kustomization walk: step name, world change, minutes to advance before evaluating. */
  const WALK: Array<[keyof Pick<World, 'good' | 'bad'>, number]> = [
    ['good', 0],
    ['bad', 1],
    ['bad', 2],
    ['bad', 3], // 5 minutes bad: fires
    ['bad', 30],
    ['good', 1],
    ['good', 5],
    ['bad', 1], // bad again before resolving: still the same episode
    ['good', 1],
    ['good', 5],
    ['good', 5], // good for 10 minutes: resolves
    ['good', 60],
  ];

  it.each(databases.eachSupportedId())(
    'walks an alert through pending, firing and resolved across restarts, on %p',
    async databaseId => {
      const knex = await setup(databaseId);
      const world = new World();
      const clock = new FakeClock();
      const returned: AlertTransition[] = [];
      for (const [change, minutes] of WALK) {
        world[change]();
        clock.advance(minutes * MINUTE);
        // A restart between every two steps: only the database carries state.
        returned.push(...(await evaluator(knex, world, clock).evaluate()));
      }
      expect(returned.map(t => t.transition)).toEqual(['fired', 'resolved']);
      const history = await events(knex);
      expect(history).toEqual([
        expect.objectContaining({
          alertId:
            'KustomizationNotReady:flux|dev|flux-system|Kustomization|apps',
          rule: 'KustomizationNotReady',
          severity: 'warning',
          transition: 'fired',
          at: '2026-11-23T12:06:00.000Z',
          summary:
            'Kustomization flux-system/apps on dev is not ready: ReconciliationFailed: kustomize build failed',
        }),
        expect.objectContaining({
          transition: 'resolved',
          at: '2026-11-23T12:54:00.000Z',
        }),
      ]);
      expect(await new AlertStore(knex).load()).toEqual([
        {
          id: 'KustomizationNotReady:flux|dev|flux-system|Kustomization|apps',
          rule: 'KustomizationNotReady',
          severity: 'warning',
          subject: 'flux|dev|flux-system|Kustomization|apps',
          entityRefs: ['component:default/apps'],
          status: 'resolved',
          since: '2026-11-23T12:01:00.000Z',
          firedAt: '2026-11-23T12:06:00.000Z',
          resolvedAt: '2026-11-23T12:54:00.000Z',
          summary:
            'Kustomization flux-system/apps on dev is not ready: ReconciliationFailed: kustomize build failed',
          labels: {
            cluster: 'dev',
            namespace: 'flux-system',
            kind: 'Kustomization',
            name: 'apps',
            tool: 'flux',
          },
        },
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'records each transition once when two evaluators share the database, on %p',
    async databaseId => {
      const knex = await setup(databaseId);
      const other = replicaClient(knex);
      // Two connection pools on PostgreSQL: the evaluators really run concurrently there.
      expect(other === knex).toBe(databaseId !== 'POSTGRES_15');
      const world = new World();
      const clock = new FakeClock();
      const a = evaluator(knex, world, clock);
      const b = evaluator(other, world, clock);
      const returned: AlertTransition[] = [];
      for (const [i, [change, minutes]] of WALK.entries()) {
        world[change]();
        clock.advance(minutes * MINUTE);
        // Both at once, then (interleaving) one of them alone, alternately.
        for (const t of await Promise.all([a.evaluate(), b.evaluate()]))
          returned.push(...t);
        returned.push(...(await (i % 2 ? a : b).evaluate()));
      }
      expect(returned.map(t => t.transition)).toEqual(['fired', 'resolved']);
      expect((await events(knex)).map(e => e.transition)).toEqual([
        'fired',
        'resolved',
      ]);
      expect((await new AlertStore(other).load())[0].status).toBe('resolved');
    },
  );

  it.each(databases.eachSupportedId())(
    'lets only one of two evaluators that read the same state record a transition, on %p',
    async databaseId => {
      const knex = await setup(databaseId);
      const other = replicaClient(knex);
      const clock = new FakeClock();
      const config = alertsConfig();
      const storeA = new AlertStore(knex);
      const storeB = new AlertStore(other);
      const bad = [failing()];
      const evaluate = (
        previous: Awaited<ReturnType<AlertStore['load']>>,
        records: GitOpsRecord[],
      ) =>
        evaluateAlerts({
          records,
          sourceHealth: [],
          previous,
          now: clock.now(),
          config,
        });

      // Both see the object bad for the first time: one pending row.
      const [firstA, firstB] = [evaluate([], bad), evaluate([], bad)];
      await storeA.apply(firstA.next, firstA.transitions, []);
      await storeB.apply(firstB.next, firstB.transitions, []);
      expect(await storeA.load()).toHaveLength(1);

      // Both read pending, both decide it fires; they write one after the other (SQLite) or at
      // once (PostgreSQL, two connection pools): one 'fired'.
      clock.advance(5 * MINUTE);
      const [readA, readB] = await Promise.all([storeA.load(), storeB.load()]);
      const fireA = evaluate(readA, bad);
      const fireB = evaluate(readB, bad);
      expect(fireA.transitions).toHaveLength(1);
      expect(fireB.transitions).toHaveLength(1);
      const fired = await Promise.all([
        storeA.apply(fireA.next, fireA.transitions, readA),
        storeB.apply(fireB.next, fireB.transitions, readB),
      ]);
      expect(fired.map(r => r.transitions.length).sort()).toEqual([0, 1]);

      // Good for 10 minutes; both resolve from the same firing state: one 'resolved'.
      const firing = await storeA.load();
      const good = evaluate(firing, [record()]);
      await storeA.apply(good.next, good.transitions, firing);
      clock.advance(10 * MINUTE);
      const [againA, againB] = [await storeA.load(), await storeB.load()];
      const resolveA = evaluate(againA, [record()]);
      const resolveB = evaluate(againB, [record()]);
      const resolved = [
        await storeB.apply(resolveB.next, resolveB.transitions, againB),
        await storeA.apply(resolveA.next, resolveA.transitions, againA),
      ];
      expect(resolved.map(r => r.transitions.length)).toEqual([1, 0]);

      // A stale evaluator that still thinks it is pending cannot fire the resolved episode again.
      const stale = evaluate(readA, bad);
      const late = await storeA.apply(stale.next, stale.transitions, readA);
      expect(late.transitions).toEqual([]);
      expect((await storeA.load())[0].status).toBe('resolved');

      expect((await events(knex)).map(e => e.transition)).toEqual([
        'fired',
        'resolved',
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'fires once when two evaluators see a for: 0 alert at the same time, on %p',
    async databaseId => {
      const knex = await setup(databaseId);
      const other = replicaClient(knex);
      const world = new World();
      const clock = new FakeClock();
      const config = alertsConfig({
        rules: { KustomizationNotReady: { for: '0s', resolveAfter: '0s' } },
      });
      const a = evaluator(knex, world, clock, config);
      const b = evaluator(other, world, clock, config);
      const returned: AlertTransition[] = [];
      for (const change of ['bad', 'good', 'bad'] as const) {
        world[change]();
        clock.advance(MINUTE);
        for (const t of await Promise.all([a.evaluate(), b.evaluate()]))
          returned.push(...t);
      }
      expect(returned.map(t => t.transition)).toEqual([
        'fired',
        'resolved',
        'fired',
      ]);
      expect((await events(knex)).map(e => e.transition)).toEqual([
        'fired',
        'resolved',
        'fired',
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'handles hundreds of alerts changing at once in two evaluators, on %p',
    async databaseId => {
      const knex = await setup(databaseId);
      const other = replicaClient(knex);
      const world = new World();
      const clock = new FakeClock();
      const a = evaluator(knex, world, clock);
      const b = evaluator(other, world, clock);
      const many = (n: number) =>
        Array.from({ length: n }, (_, i) =>
          failing({ name: `app-${String(i).padStart(3, '0')}` }),
        );
      const run = async () =>
        (await Promise.all([a.evaluate(), b.evaluate()])).flat();
      world.records = many(450);
      expect(await run()).toEqual([]);
      expect(await new AlertStore(knex).load()).toHaveLength(450);
      // 5 minutes on, another 50 appear as the first 450 fire.
      clock.advance(5 * MINUTE);
      world.records = many(500);
      expect(await run()).toHaveLength(450);
      world.records = [];
      clock.advance(10 * MINUTE);
      await run();
      clock.advance(10 * MINUTE);
      expect(await run()).toHaveLength(450);
      const history = await new AlertStore(knex).listEvents({ limit: 10_000 });
      // The same, asked by alert id (IN lists in chunks), newest first.
      const ids = [...new Set(history.map(e => e.alertId))];
      expect(ids).toHaveLength(450);
      expect(
        await new AlertStore(knex).listEvents({ alertIds: ids, limit: 10_000 }),
      ).toEqual(history);
      expect(history[0].transition).toBe('resolved');
      expect(history.filter(e => e.transition === 'fired')).toHaveLength(450);
      expect(history.filter(e => e.transition === 'resolved')).toHaveLength(
        450,
      );
      expect(
        new Set(history.map(e => `${e.alertId} ${e.transition}`)).size,
      ).toBe(900);
    },
  );

  it.each(databases.eachSupportedId())(
    'writes nothing when nothing changed, on %p',
    async databaseId => {
      const knex = await setup(databaseId);
      const store = new AlertStore(knex);
      const clock = new FakeClock();
      const config = alertsConfig();
      const records = [failing()];
      const first = evaluateAlerts({
        records,
        sourceHealth: [],
        previous: [],
        now: clock.now(),
        config,
      });
      expect(
        (await store.apply(first.next, first.transitions, [])).writes,
      ).toBe(1);
      clock.advance(MINUTE);
      const previous = await store.load();
      const second = evaluateAlerts({
        records,
        sourceHealth: [],
        previous,
        now: clock.now(),
        config,
      });
      expect(second.next).toEqual(previous);
      expect(
        await store.apply(second.next, second.transitions, previous),
      ).toEqual({ transitions: [], writes: 0 });
      // Without `previous`, the stored rows are compared.
      expect(await store.apply(second.next, [])).toEqual({
        transitions: [],
        writes: 0,
      });
      // A pending alert that clears is deleted.
      const cleared = evaluateAlerts({
        records: [record()],
        sourceHealth: [],
        previous,
        now: clock.now(),
        config,
      });
      expect(
        (await store.apply(cleared.next, cleared.transitions, previous)).writes,
      ).toBe(1);
      expect(await store.load()).toEqual([]);
      expect(await store.listEvents()).toEqual([]);
    },
  );

  it.each(databases.eachSupportedId())(
    'lists alerts by status, rule, cluster and entity, and prunes old events, on %p',
    async databaseId => {
      const knex = await setup(databaseId);
      const store = new AlertStore(knex);
      const world = new World();
      const clock = new FakeClock();
      world.records = [
        failing({ entityRefs: ['component:default/a'] }),
        failing({
          cluster: 'prod',
          kind: 'HelmRelease',
          entityRefs: ['component:default/b'],
        }),
      ];
      world.sourceHealth = [
        health({ id: 'kubernetes:prod', target: 'prod', status: 'error' }),
      ];
      const e = evaluator(knex, world, clock);
      await e.evaluate();
      clock.advance(5 * MINUTE);
      expect(await e.evaluate()).toHaveLength(3);

      const ids = (alerts: Array<{ id: string }>) => alerts.map(a => a.id);
      expect(ids(await store.listAlerts())).toEqual([
        'HelmReleaseNotReady:flux|prod|flux-system|HelmRelease|apps',
        'KustomizationNotReady:flux|dev|flux-system|Kustomization|apps',
        'SourceStale:kubernetes:prod',
      ]);
      expect(
        ids(await store.listAlerts({ cluster: ['prod'], status: ['firing'] })),
      ).toEqual([
        'HelmReleaseNotReady:flux|prod|flux-system|HelmRelease|apps',
        'SourceStale:kubernetes:prod',
      ]);
      expect(
        ids(await store.listAlerts({ entityRefs: ['component:default/a'] })),
      ).toEqual([
        'KustomizationNotReady:flux|dev|flux-system|Kustomization|apps',
      ]);
      // A caller allowed to see only b does not see source alerts either.
      expect(
        ids(
          await store.listAlerts({
            allowedEntityRefs: ['component:default/b'],
          }),
        ),
      ).toEqual(['HelmReleaseNotReady:flux|prod|flux-system|HelmRelease|apps']);
      expect(
        ids(
          await store.listAlerts({
            rule: ['SourceStale'],
            subjects: ['kubernetes:prod'],
          }),
        ),
      ).toEqual(['SourceStale:kubernetes:prod']);
      expect(await store.listAlerts({ status: ['pending'] })).toEqual([]);

      expect(await store.listEvents({ limit: 2 })).toHaveLength(2);
      expect(
        await store.listEvents({
          alertIds: ['SourceStale:kubernetes:prod'],
        }),
      ).toEqual([
        expect.objectContaining({ rule: 'SourceStale', transition: 'fired' }),
      ]);

      // Events older than the retention (90 days by default) go at the next hourly prune.
      clock.advance(89 * 24 * HOUR);
      await e.evaluate();
      expect(await store.listEvents()).toHaveLength(3);
      clock.advance(2 * 24 * HOUR);
      await e.evaluate();
      expect(await store.listEvents()).toEqual([]);
      expect(await store.load()).toHaveLength(3);
    },
  );
});
