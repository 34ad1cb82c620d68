import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import {
  deriveState,
  type GitOpsRecord,
} from '@gitops-status/plugin-gitops-common';
import { mergeObservations } from '../merge/merge';
import { recordId } from '../merge/identity';
import { GitOpsStore } from './GitOpsStore';

jest.setTimeout(60_000);

function record(name: string, over: Partial<GitOpsRecord> = {}): GitOpsRecord {
  const base: GitOpsRecord = {
    tool: 'flux',
    cluster: 'dev',
    namespace: 'apps',
    kind: 'Kustomization',
    name,
    sync: 'Synced',
    health: 'Healthy',
    compliance: 'Compliant',
    state: 'ok',
    suspended: false,
    revision: {
      applied: 'main@sha1:aaaaaaaa',
      commit: 'aaaaaaaa',
      ref: 'main',
    },
    conditions: [],
    dependsOn: [],
    labels: { 'backstage.io/kubernetes-id': name },
    sources: ['kubernetes'],
    observedAt: '2026-11-23T10:00:00.000Z',
    links: [],
    ...over,
  };
  return { ...base, state: deriveState(base) };
}

describe('GitOpsStore', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  async function createStore(databaseId: any) {
    const knex = await databases.init(databaseId);
    const database = mockServices.database({
      knex,
      migrations: { skip: false },
    });
    return { store: await GitOpsStore.create({ database }), knex };
  }

  it.each(databases.eachSupportedId())(
    'writes only what changed, on %p',
    async databaseId => {
      const { store, knex } = await createStore(databaseId);
      const a = record('a');
      const b = record('b');

      const first = await store.applyTargetSnapshot(
        'kubernetes:dev',
        [a, b],
        mergeObservations,
      );
      expect(first.changed.map(r => r.name).sort()).toEqual(['a', 'b']);
      expect(first.writes).toBe(6); // 2 observations + 2 records + 2 'appeared' events
      expect(first.events).toBe(2);

      // The same objects seen again later: observedAt differs, nothing else; no writes.
      const again = await store.applyTargetSnapshot(
        'kubernetes:dev',
        [
          { ...a, observedAt: '2026-11-23T11:00:00.000Z' },
          { ...b, observedAt: '2026-11-23T11:00:00.000Z' },
        ],
        mergeObservations,
      );
      expect(again).toEqual({
        changed: [],
        removed: [],
        writes: 0,
        events: 0,
      });

      // b fails now, a disappears.
      const bFailing = record('b', {
        health: 'Degraded',
        compliance: 'NonCompliant',
        reason: 'HealthCheckFailed',
      });
      const third = await store.applyTargetSnapshot(
        'kubernetes:dev',
        [bFailing],
        mergeObservations,
      );
      expect(third.changed).toHaveLength(1);
      expect(third.changed[0].state).toBe('error');
      expect(third.removed).toEqual([recordId(a)]);
      const rows = await knex('gitops_records')
        .select('name', 'state')
        .orderBy('name');
      expect(rows).toEqual([{ name: 'b', state: 'error' }]);
    },
  );

  it.each(databases.eachSupportedId())(
    'keeps one record per object across sources and binds entities, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      const fromKube = record('podinfo');
      const fromMetrics = record('podinfo', {
        sources: ['prometheus'],
        health: 'Degraded',
        compliance: 'NonCompliant',
        revision: {},
      });
      await store.applyTargetSnapshot(
        'kubernetes:dev',
        [fromKube],
        mergeObservations,
      );
      await store.applyTargetSnapshot(
        'prometheus:main',
        [fromMetrics],
        mergeObservations,
      );
      await store.setBindings(
        new Map([[recordId(fromKube), ['component:default/podinfo']]]),
      );

      const rows = await store.listEntityRecords(['component:default/podinfo']);
      expect(rows).toHaveLength(1);
      expect(rows[0].targets.sort()).toEqual([
        'kubernetes:dev',
        'prometheus:main',
      ]);
      expect(rows[0].entityRefs).toEqual(['component:default/podinfo']);
      expect(rows[0].record.sources).toEqual(['kubernetes', 'prometheus']);
      // Kubernetes wins; the disagreement stays visible.
      expect(rows[0].record.health).toBe('Healthy');
      expect(rows[0].record.disagreements).toEqual(
        expect.arrayContaining([
          expect.stringContaining('prometheus says Degraded'),
        ]),
      );

      // Rebinding replaces, and an empty list unbinds.
      await store.setBindings(new Map([[recordId(fromKube), []]]));
      expect(
        await store.listEntityRecords(['component:default/podinfo']),
      ).toEqual([]);
    },
  );

  it.each(databases.eachSupportedId())(
    'returns each record once for several entities, with the entities it belongs to, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      const shared = record('shared');
      const own = record('own', { cluster: 'prod' });
      await store.applyTargetSnapshot(
        'kubernetes:dev',
        [shared, own],
        mergeObservations,
      );
      await store.setBindings(
        new Map([
          [recordId(shared), ['component:default/a', 'component:default/b']],
          [recordId(own), ['component:default/b']],
        ]),
      );
      const rows = await store.listEntityRecords([
        'component:default/a',
        'component:default/b',
      ]);
      expect(rows.map(r => [r.record.name, r.entityRefs])).toEqual([
        ['shared', ['component:default/a', 'component:default/b']],
        ['own', ['component:default/b']],
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'reads an entity view in one pass: each record once, its entities and targets deduplicated, its JSON as stored, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      // Seen by two targets (Kubernetes and an Argo CD API), bound to two entities: four join rows.
      const shared = record('shared', {
        tool: 'argocd',
        kind: 'Application',
        namespace: 'argocd',
        lastReconciledAt: '2026-11-23T09:00:00.000Z',
      });
      const other = record('other', { cluster: 'a-first' });
      await store.applyTargetSnapshot(
        'kubernetes:dev',
        [shared, other],
        mergeObservations,
      );
      await store.applyTargetSnapshot(
        'argocd-api:main',
        [{ ...shared, sources: ['argocd-api'] }],
        mergeObservations,
      );
      await store.setBindings(
        new Map([
          [recordId(shared), ['component:default/b', 'component:default/a']],
          [recordId(other), ['component:default/b']],
        ]),
      );
      const rows = await store.listEntityRecordRows([
        'component:default/a',
        'component:default/b',
      ]);
      // Sorted by cluster first: 'a-first' < 'dev'.
      expect(
        rows.map(r => [r.name, r.entityRefs, r.targets, r.state, r.tool]),
      ).toEqual([
        ['other', ['component:default/b'], ['kubernetes:dev'], 'ok', 'flux'],
        [
          'shared',
          ['component:default/a', 'component:default/b'],
          ['argocd-api:main', 'kubernetes:dev'],
          'ok',
          'argocd',
        ],
      ]);
      expect(rows[1].id).toBe(recordId(shared));
      expect(rows[1].lastReconciledAt).toBe('2026-11-23T09:00:00.000Z');
      // The stored JSON is the merged record, the same one the parsed read returns.
      const parsed = await store.listEntityRecords(['component:default/a']);
      expect(JSON.parse(rows[1].data)).toEqual(parsed[0].record);
      expect([...parsed[0].record.sources].sort()).toEqual([
        'argocd-api',
        'kubernetes',
      ]);
      // Asking for one entity names only that one.
      expect(
        (await store.listEntityRecordRows(['component:default/a'])).map(
          r => r.entityRefs,
        ),
      ).toEqual([['component:default/a']]);
    },
  );

  it.each(databases.eachSupportedId())(
    'stores source health and counts records per cluster, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      await store.applyTargetSnapshot(
        'kubernetes:dev',
        [record('a'), record('b'), record('c', { cluster: 'prod' })],
        mergeObservations,
      );
      await store.setSourceHealth({
        id: 'kubernetes:dev',
        type: 'kubernetes',
        target: 'dev',
        status: 'ok',
        lastSuccessAt: '2026-11-23T10:00:00.000Z',
      });
      await store.setSourceHealth({
        id: 'kubernetes:dev',
        type: 'kubernetes',
        target: 'dev',
        status: 'error',
        message: 'cluster dev: list kustomizations: 401',
        lastSuccessAt: '2026-11-23T10:00:00.000Z',
      });
      expect(await store.getSourceHealth('kubernetes:dev')).toEqual({
        id: 'kubernetes:dev',
        type: 'kubernetes',
        target: 'dev',
        status: 'error',
        message: 'cluster dev: list kustomizations: 401',
        lastSuccessAt: '2026-11-23T10:00:00.000Z',
        lastAttemptAt: undefined,
        skippedKinds: undefined,
      });
      expect(Object.fromEntries(await store.countRecordsByCluster())).toEqual({
        dev: 2,
        prod: 1,
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'handles snapshots larger than one IN-list chunk, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      const many = Array.from({ length: 1001 }, (_, i) => record(`obj-${i}`));
      const first = await store.applyTargetSnapshot(
        'kubernetes:dev',
        many,
        mergeObservations,
      );
      expect(first.changed).toHaveLength(1001);
      const fewer = await store.applyTargetSnapshot(
        'kubernetes:dev',
        many.slice(0, 10),
        mergeObservations,
      );
      expect(fewer.removed).toHaveLength(991);
      expect((await store.listRecords()).length).toBe(10);
    },
  );

  it.each(databases.eachSupportedId())(
    'binds changed records in the snapshot transaction: all or nothing, on %p',
    async databaseId => {
      const { store, knex } = await createStore(databaseId);
      const a = record('a');
      // A failure after the records were merged (here: while binding) leaves nothing behind.
      await expect(
        store.applyTargetSnapshot(
          'kubernetes:dev',
          [a],
          mergeObservations,
          new Date(),
          () => {
            throw new Error('killed mid-write');
          },
        ),
      ).rejects.toThrow('killed mid-write');
      // PostgreSQL counts as strings.
      const count = async (table: string) =>
        Number((await knex(table).count({ n: '*' }))[0].n);
      expect(await count('gitops_records')).toBe(0);
      expect(await count('gitops_observations')).toBe(0);
      expect(await count('gitops_record_events')).toBe(0);
      await store.applyTargetSnapshot(
        'kubernetes:dev',
        [a],
        mergeObservations,
        new Date(),
        r => [`component:default/${r.name}`],
      );
      const rows = await store.listEntityRecords(['component:default/a']);
      expect(rows.map(r => r.record.name)).toEqual(['a']);
    },
  );

  it.each(databases.eachSupportedId())(
    'moves its summary version with every change the org-wide counts see, and only then, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      const versions = [await store.readSummaryVersion()];
      const moved = async () => {
        const v = await store.readSummaryVersion();
        const changed = v !== versions[versions.length - 1];
        versions.push(v);
        return changed;
      };
      const a = record('a');
      const b = record('b');

      await store.applyTargetSnapshot(
        'kubernetes:dev',
        [a, b],
        mergeObservations,
      );
      expect(await moved()).toBe(true);
      // Seen again later: no writes, so no new version.
      await store.applyTargetSnapshot(
        'kubernetes:dev',
        [a, { ...b, observedAt: '2026-11-23T11:00:00.000Z' }],
        mergeObservations,
      );
      expect(await moved()).toBe(false);
      // Written, but nothing counted changed: a newer reconcile time and message (what most
      // writes in a live fleet are).
      const aLater = record('a', {
        lastReconciledAt: '2026-11-23T11:03:00.000Z',
        message: 'Applied revision: main@sha1:aaaaaaaa',
      });
      const rewritten = await store.applyTargetSnapshot(
        'kubernetes:dev',
        [aLater, b],
        mergeObservations,
      );
      expect(rewritten.changed.map(r => r.name)).toEqual(['a']);
      expect(await moved()).toBe(false);
      // Each counted column.
      const changes: Array<[string, Partial<GitOpsRecord>]> = [
        ['health → state', { health: 'Degraded', reason: 'HealthCheckFailed' }],
        [
          'sync',
          {
            health: 'Degraded',
            reason: 'HealthCheckFailed',
            sync: 'OutOfSync',
          },
        ],
        [
          'compliance',
          {
            health: 'Degraded',
            reason: 'HealthCheckFailed',
            sync: 'OutOfSync',
            compliance: 'NonCompliant',
          },
        ],
        [
          'commit',
          {
            health: 'Degraded',
            reason: 'HealthCheckFailed',
            sync: 'OutOfSync',
            compliance: 'NonCompliant',
            revision: {
              applied: 'main@sha1:bbbbbbbb',
              commit: 'bbbbbbbb',
              ref: 'main',
            },
          },
        ],
      ];
      for (const [label, over] of changes) {
        await store.applyTargetSnapshot(
          'kubernetes:dev',
          [aLater, record('b', over)],
          mergeObservations,
        );
        expect([label, await moved()]).toEqual([label, true]);
      }
      // A removal.
      await store.applyTargetSnapshot('kubernetes:dev', [a], mergeObservations);
      expect(await moved()).toBe(true);

      const bindings = new Map([[recordId(a), ['component:default/a']]]);
      expect(await store.setBindings(bindings)).toBeGreaterThan(0);
      expect(await moved()).toBe(true);
      expect(await store.setBindings(bindings)).toBe(0);
      expect(await moved()).toBe(false);

      const entities = [
        { entityRef: 'component:default/a', owner: 'group:default/team-a' },
      ];
      expect(await store.replaceEntities(entities)).toBe(1);
      expect(await moved()).toBe(true);
      expect(await store.replaceEntities(entities)).toBe(0);
      expect(await moved()).toBe(false);
      expect(
        await store.replaceEntities([
          { entityRef: 'component:default/a', owner: 'group:default/team-b' },
        ]),
      ).toBe(1);
      expect(await moved()).toBe(true);

      // A write that fails leaves the version where it was.
      await expect(
        store.applyTargetSnapshot(
          'kubernetes:dev',
          [a, record('c')],
          mergeObservations,
          new Date(),
          () => {
            throw new Error('killed mid-write');
          },
        ),
      ).rejects.toThrow('killed mid-write');
      expect(await moved()).toBe(false);
      // Versions only grow (readers keep the newer of two answers).
      const numbers = versions.map(Number);
      expect(numbers).toEqual([...numbers].sort((x, y) => x - y));
    },
  );
});
