import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import {
  deploymentsFromEvents,
  deriveState,
  type GitOpsRecord,
} from '@gitops-status/plugin-gitops-common';
import { mergeObservations } from '../merge/merge';
import { recordId } from '../merge/identity';
import { GitOpsStore } from './GitOpsStore';

jest.setTimeout(60_000);

const ENTITY = 'component:default/podinfo';
const at = (minute: number) =>
  `2026-11-23T10:${String(minute).padStart(2, '0')}:00.000Z`;

function record(
  minute: number,
  over: Partial<GitOpsRecord> = {},
): GitOpsRecord {
  const base: GitOpsRecord = {
    tool: 'flux',
    cluster: 'dev',
    namespace: 'apps',
    kind: 'Kustomization',
    name: 'podinfo',
    sync: 'Synced',
    health: 'Healthy',
    compliance: 'Compliant',
    state: 'ok',
    suspended: false,
    revision: { applied: 'main@sha1:aaa', commit: 'aaa' },
    conditions: [],
    dependsOn: [],
    labels: {},
    sources: ['kubernetes'],
    observedAt: at(minute),
    links: [],
    ...over,
  };
  return { ...base, state: deriveState(base) };
}

describe('GitOpsStore history', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  async function createStore(databaseId: any) {
    const knex = await databases.init(databaseId);
    const database = mockServices.database({
      knex,
      migrations: { skip: false },
    });
    return { store: await GitOpsStore.create({ database }), knex };
  }

  /** podinfo appears on aaa, rolls out bbb (progressing, then ready) and is removed. */
  async function walk(store: GitOpsStore) {
    const apply = (records: GitOpsRecord[], minute: number) =>
      store.applyTargetSnapshot(
        'kubernetes:dev',
        records,
        mergeObservations,
        new Date(at(minute)),
      );
    const first = record(0);
    await apply([first], 0);
    await store.setBindings(new Map([[recordId(first), [ENTITY]]]));
    // Seen again unchanged: no event.
    await apply([record(1)], 1);
    await apply(
      [
        record(2, {
          revision: { applied: 'main@sha1:aaa', attempted: 'main@sha1:bbb' },
          health: 'Progressing',
        }),
      ],
      2,
    );
    await apply(
      [
        record(3, {
          revision: { applied: 'main@sha1:bbb', commit: 'bbb' },
          health: 'Progressing',
        }),
      ],
      3,
    );
    await apply(
      [record(6, { revision: { applied: 'main@sha1:bbb', commit: 'bbb' } })],
      6,
    );
    await apply([], 9);
  }

  it.each(databases.eachSupportedId())(
    'records each change once and keeps it after the object is gone, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      await walk(store);

      const { events, nextCursor } = await store.listHistory({
        entityRefs: [ENTITY],
        limit: 100,
      });
      expect(nextCursor).toBeUndefined();
      expect(events.map(e => [e.event, e.at, e.state, e.commit])).toEqual([
        ['removed', at(9), 'ok', 'bbb'],
        ['transition', at(6), 'ok', 'bbb'],
        ['deployed', at(3), 'progressing', 'bbb'],
        ['transition', at(2), 'progressing', undefined],
        ['appeared', at(0), 'ok', 'aaa'],
      ]);
      expect(events[2].previous).toEqual({
        state: 'progressing',
        sync: 'Synced',
        health: 'Progressing',
        compliance: 'Compliant',
        revision: 'main@sha1:aaa',
        commit: undefined,
      });
      // Another entity sees none of it.
      expect(
        (
          await store.listHistory({
            entityRefs: ['component:default/x'],
            limit: 10,
          })
        ).events,
      ).toEqual([]);

      // The rollout of bbb: started when first attempted (:02), ready at :06.
      const deployments = deploymentsFromEvents(
        await store.listDeploymentEvents([ENTITY]),
      );
      expect(deployments).toHaveLength(1);
      expect(deployments[0]).toMatchObject({
        revision: 'bbb',
        clusters: ['dev'],
        targets: [
          {
            startedAt: at(2),
            deployedAt: at(3),
            readyAt: at(6),
            durationMs: 4 * 60_000,
            outcome: 'ready',
          },
        ],
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'pages newest first and filters by event, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      await walk(store);
      const seen: string[] = [];
      let before: string | undefined;
      let pages = 0;
      do {
        const page = await store.listHistory({
          entityRefs: [ENTITY],
          limit: 2,
          before,
        });
        seen.push(...page.events.map(e => e.at));
        before = page.nextCursor;
        pages++;
      } while (before && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual([at(9), at(6), at(3), at(2), at(0)]);

      const deployed = await store.listHistory({
        entityRefs: [ENTITY],
        limit: 10,
        events: ['deployed'],
      });
      expect(deployed.events.map(e => e.at)).toEqual([at(3)]);
    },
  );

  it.each(databases.eachSupportedId())(
    'deletes what is older than the retention, and bindings nothing refers to, on %p',
    async databaseId => {
      const { store, knex } = await createStore(databaseId);
      await walk(store);
      expect(await store.pruneHistory(new Date(at(3)))).toBe(2); // :00 and :02
      const left = await store.listHistory({ entityRefs: [ENTITY], limit: 10 });
      expect(left.events.map(e => e.at)).toEqual([at(9), at(6), at(3)]);
      expect(await knex('gitops_history_bindings').count({ n: '*' })).toEqual([
        { n: expect.anything() },
      ]);
      expect(await store.pruneHistory(new Date(at(10)))).toBe(3);
      // The object is gone and has no events left: its binding goes too.
      expect(await knex('gitops_history_bindings').select('record_id')).toEqual(
        [],
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'stores an OCI sha512 digest as the commit, and its history, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      const digest = `sha512:${'ab'.repeat(64)}`; // 135 characters
      const withDigest = (d: string) =>
        record(0, { kind: 'HelmRelease', revision: { applied: d, commit: d } });
      await store.applyTargetSnapshot(
        'kubernetes:dev',
        [withDigest(`sha512:${'cd'.repeat(64)}`)],
        mergeObservations,
        new Date(at(0)),
      );
      await store.setBindings(
        new Map([['flux|dev|apps|HelmRelease|podinfo', [ENTITY]]]),
      );
      await store.applyTargetSnapshot(
        'kubernetes:dev',
        [withDigest(digest)],
        mergeObservations,
        new Date(at(1)),
      );
      const [deployed] = (
        await store.listHistory({ entityRefs: [ENTITY], limit: 1 })
      ).events;
      expect(deployed).toMatchObject({ event: 'deployed', commit: digest });
      expect((await store.listRecords())[0].revision.commit).toBe(digest);
    },
  );
});
