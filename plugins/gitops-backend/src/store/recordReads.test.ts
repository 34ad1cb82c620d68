/*
 * The store's partial record reads (for alert evaluation and external alert matching): what each
 * returns agrees with the whole records, on every supported database.
 */
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import type { GitOpsRecord } from '@gitops-status/plugin-gitops-common';
import { ClusterDirectory } from '../config/clusters';
import { mergeObservations } from '../merge/merge';
import { recordHash, recordId } from '../merge/identity';
import { RecordMatcher } from '../alerts/external/matchRecords';
import { app, failing, record } from '../alerts/__testUtils__/fixtures';
import { GitOpsStore } from './GitOpsStore';

jest.setTimeout(60_000);

const APPS = 'component:default/apps';
const PLATFORM = 'system:default/platform';

/** More records than one IN list takes (400), of every shape the reads treat apart. */
function manyRecords(): GitOpsRecord[] {
  const out: GitOpsRecord[] = [];
  for (let i = 0; i < 450; i++) {
    out.push(record({ name: `k-${i}` }));
  }
  for (let i = 0; i < 450; i++) {
    out.push(
      app({
        name: `app-${i}`,
        cluster: i % 2 ? 'prod' : 'dev',
        instance: i % 3 ? 'main' : 'central',
      }),
    );
  }
  out.push(
    failing({ name: 'broken' }),
    app({ name: 'no-instance', instance: undefined }),
    // Not an Application: an instance in its data is no Application's instance.
    record({ name: 'odd', instance: 'main' }),
  );
  return out;
}

describe('GitOpsStore partial record reads', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  async function setup(databaseId: any) {
    const knex = await databases.init(databaseId);
    const store = await GitOpsStore.create({
      database: mockServices.database({ knex, migrations: { skip: false } }),
    });
    const records = manyRecords();
    await store.applyTargetSnapshot(
      'kubernetes:dev',
      records,
      mergeObservations,
    );
    return { store, records };
  }

  const byId = <T>(items: T[], id: (item: T) => string) =>
    [...items].sort((a, b) => (id(a) < id(b) ? -1 : 1));

  it.each(databases.eachSupportedId())(
    'lists hashes and reads records by id, on %p',
    async databaseId => {
      const { store, records } = await setup(databaseId);
      expect(byId(await store.listRecordHashes(), h => h.id)).toEqual(
        byId(
          records.map(r => ({ id: recordId(r), hash: recordHash(r) })),
          h => h.id,
        ),
      );

      const wanted = [
        ...records.slice(0, 420).map(recordId),
        ...records.slice(-3).map(recordId),
        'flux|dev|flux-system|Kustomization|gone',
      ];
      const read = await store.listRecordsById(wanted);
      expect(byId(read, r => r.id)).toEqual(
        byId(
          [...records.slice(0, 420), ...records.slice(-3)].map(r => ({
            id: recordId(r),
            hash: recordHash(r),
            record: r,
          })),
          r => r.id,
        ),
      );
      expect(await store.listRecordsById([])).toEqual([]);
    },
  );

  it.each(databases.eachSupportedId())(
    'lists the annotated entities records are bound to, on %p',
    async databaseId => {
      const { store, records } = await setup(databaseId);
      await store.replaceEntities([
        { entityRef: APPS },
        { entityRef: PLATFORM },
      ]);
      const bindings = new Map<string, string[]>();
      records.forEach((r, i) => {
        if (i % 2) bindings.set(recordId(r), [PLATFORM, APPS]);
        else if (i % 3) bindings.set(recordId(r), ['component:default/gone']);
      });
      await store.setBindings(bindings);

      const ids = records.map(recordId);
      const bound = await store.listRecordBindings(ids);
      expect(bound).toEqual(
        new Map(
          records
            .filter((_r, i) => i % 2)
            .map(r => [recordId(r), [APPS, PLATFORM]]),
        ),
      );
      expect(await store.listRecordBindings(ids.slice(0, 2))).toEqual(
        new Map([[ids[1], [APPS, PLATFORM]]]),
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'lists identities with the Argo CD instance of Applications, matching as whole records do, on %p',
    async databaseId => {
      const { store, records } = await setup(databaseId);
      const identities = await store.listRecordIdentities();
      const expected = records.map(r => {
        const identity: Partial<GitOpsRecord> = {
          tool: r.tool,
          cluster: r.cluster,
          namespace: r.namespace,
          kind: r.kind,
          name: r.name,
        };
        if (r.kind === 'Application' && r.instance) {
          identity.instance = r.instance;
        }
        return identity;
      });
      const key = (r: Partial<GitOpsRecord>) => recordId(r as GitOpsRecord);
      expect(byId(identities, key)).toEqual(byId(expected, key));

      const clusters = new ClusterDirectory([]);
      const fromIdentities = new RecordMatcher(identities, clusters);
      const fromRecords = new RecordMatcher(records, clusters);
      // Without dest_server an Application is told apart by the instance it runs on (the alert's
      // cluster here): app-3 runs on central, app-4 on main.
      const cases: Array<[Record<string, string>, number]> = [
        [{ name: 'app-3', namespace: 'argocd' }, 1],
        [{ name: 'app-3', sync_status: 'OutOfSync', cluster: 'central' }, 1],
        [{ name: 'app-4', sync_status: 'Synced', cluster: 'central' }, 0],
        [{ name: 'app-4', sync_status: 'Synced', cluster: 'main' }, 1],
        [{ name: 'k-7', kind: 'Kustomization', cluster: 'dev' }, 1],
        [{ name: 'no-instance', health_status: 'Degraded', cluster: 'x' }, 1],
      ];
      for (const [labels, count] of cases) {
        const matched = fromIdentities.match(labels);
        expect(matched).toEqual(fromRecords.match(labels));
        expect(matched).toHaveLength(count);
      }
    },
  );
});
