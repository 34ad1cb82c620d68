import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import type {
  GitOpsRecord,
  SourceHealth,
} from '@gitops-status/plugin-gitops-common';
import { mergeObservations } from '../merge/merge';
import { recordId } from '../merge/identity';
import { GitOpsStore } from '../store/GitOpsStore';
import { AlertInputReader } from './alertInputs';
import { listBoundRecords } from './__testUtils__/boundRecords';
import { evaluateAlerts, mayRaiseAlert } from './rules';
import {
  alertsConfig,
  app,
  FakeClock,
  failing,
  health,
  record,
} from './__testUtils__/fixtures';

jest.setTimeout(60_000);

const APPS = 'component:default/apps';
const TARGET = 'kubernetes:dev';

const ok = record({ name: 'apps' });
const broken = failing({ name: 'infra' });
const guestbook = app({ name: 'guestbook', instance: 'main' });
const paused = app({ name: 'paused', instance: 'main', suspended: true });
const outOfSync = app({
  name: 'billing',
  instance: 'central',
  sync: 'OutOfSync',
});

const SOURCE_HEALTH: SourceHealth[] = [
  health({ id: 'argocd-api:main', type: 'argocd-api', target: 'main' }),
  health({ id: 'argocd-api:central', type: 'argocd-api', target: 'central' }),
  health({ id: 'argocd-api:other', type: 'argocd-api', target: 'other' }),
];

describe('AlertInputReader', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  async function setup(databaseId: any) {
    const knex = await databases.init(databaseId);
    const store = await GitOpsStore.create({
      database: mockServices.database({ knex, migrations: { skip: false } }),
    });
    /** The ids each listRecordsById call asked for: what the reader parsed. */
    const fetched: string[][] = [];
    const reader = new AlertInputReader({
      listRecordHashes: () => store.listRecordHashes(),
      listRecordsById: ids => {
        fetched.push([...ids]);
        return store.listRecordsById(ids);
      },
      listRecordBindings: ids => store.listRecordBindings(ids),
    });
    const report = (records: GitOpsRecord[]) =>
      store.applyTargetSnapshot(TARGET, records, mergeObservations);
    /** Reads, and takes the ids parsed by this read. */
    const read = async () => {
      fetched.length = 0;
      const inputs = await reader.read();
      return { inputs, parsed: fetched.flat().sort() };
    };
    return { store, report, read };
  }

  /** What the reader returns must give the alerts that every bound record gives. */
  async function expectSameAlerts(
    store: GitOpsStore,
    inputs: Awaited<ReturnType<AlertInputReader['read']>>,
  ) {
    const common = {
      sourceHealth: SOURCE_HEALTH,
      previous: [],
      now: new FakeClock().now(),
      config: alertsConfig(),
    };
    const all = await listBoundRecords(store);
    expect(inputs.records.map(r => [recordId(r), r.entityRefs ?? []])).toEqual(
      all
        .filter(mayRaiseAlert)
        .map(r => [recordId(r), r.entityRefs ?? []])
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    );
    expect(evaluateAlerts({ ...common, ...inputs })).toEqual(
      evaluateAlerts({ ...common, records: all }),
    );
  }

  const names = (records: GitOpsRecord[]) => records.map(r => r.name);

  it.each(databases.eachSupportedId())(
    'sees every change between reads and parses only what changed, on %p',
    async databaseId => {
      const { store, report, read } = await setup(databaseId);
      await report([ok, broken, guestbook, paused, outOfSync]);
      await store.replaceEntities([{ entityRef: APPS }]);
      await store.setBindings(
        new Map([
          [recordId(broken), [APPS, 'component:default/not-annotated']],
        ]),
      );

      // First read: everything is parsed once.
      let { inputs, parsed } = await read();
      expect(parsed).toEqual(
        [ok, broken, guestbook, paused, outOfSync].map(recordId).sort(),
      );
      expect(names(inputs.records)).toEqual(['billing', 'infra']);
      // Bound to annotated entities only, as listBoundRecords does.
      expect(inputs.records[1].entityRefs).toEqual([APPS]);
      // Suspended Applications count (ArgoAppMissing always counted them).
      expect(inputs.argoApplicationsByInstance).toEqual(
        new Map([
          ['main', 2],
          ['central', 1],
        ]),
      );
      await expectSameAlerts(store, inputs);

      // Nothing changed: nothing parsed (a record seen again unchanged keeps its hash).
      await report([
        { ...ok, observedAt: '2026-11-23T13:00:00.000Z' },
        broken,
        guestbook,
        paused,
        outOfSync,
      ]);
      ({ inputs, parsed } = await read());
      expect(parsed).toEqual([]);
      expect(names(inputs.records)).toEqual(['billing', 'infra']);

      // apps fails, infra is fixed: only those two are parsed.
      const appsFailing = failing({ name: 'apps' });
      const infraFixed = record({ name: 'infra' });
      await report([appsFailing, infraFixed, guestbook, paused, outOfSync]);
      ({ inputs, parsed } = await read());
      expect(parsed).toEqual([appsFailing, infraFixed].map(recordId).sort());
      expect(names(inputs.records)).toEqual(['billing', 'apps']);
      expect(inputs.records[1].entityRefs).toBeUndefined();
      await expectSameAlerts(store, inputs);

      // A binding is added: seen without parsing anything.
      await store.setBindings(new Map([[recordId(appsFailing), [APPS]]]));
      ({ inputs, parsed } = await read());
      expect(parsed).toEqual([]);
      expect(inputs.records[1].entityRefs).toEqual([APPS]);
      await expectSameAlerts(store, inputs);

      // A new healthy Application on central: parsed once, counted, not a candidate.
      const payments = app({ name: 'payments', instance: 'central' });
      await report([
        appsFailing,
        infraFixed,
        guestbook,
        paused,
        outOfSync,
        payments,
      ]);
      ({ inputs, parsed } = await read());
      expect(parsed).toEqual([recordId(payments)]);
      expect(names(inputs.records)).toEqual(['billing', 'apps']);
      expect(inputs.argoApplicationsByInstance).toEqual(
        new Map([
          ['main', 2],
          ['central', 2],
        ]),
      );
      await expectSameAlerts(store, inputs);

      // Removed: a candidate and two of main's Applications; nothing to parse.
      await report([appsFailing, infraFixed, payments]);
      ({ inputs, parsed } = await read());
      expect(parsed).toEqual([]);
      expect(names(inputs.records)).toEqual(['apps']);
      expect(inputs.argoApplicationsByInstance).toEqual(
        new Map([['central', 1]]),
      );
      await expectSameAlerts(store, inputs);

      // Everything gone.
      await report([]);
      ({ inputs, parsed } = await read());
      expect(parsed).toEqual([]);
      expect(inputs).toEqual({
        records: [],
        argoApplicationsByInstance: new Map(),
      });
    },
  );

  it('reads a record again when it changed between reading hashes and data', async () => {
    const { store } = await setup('SQLITE_3');
    await store.applyTargetSnapshot(TARGET, [ok], mergeObservations);
    const fetched: string[] = [];
    let hashes = await store.listRecordHashes();
    const reader = new AlertInputReader({
      listRecordHashes: async () => hashes,
      listRecordsById: async ids => {
        fetched.push(...ids);
        return store.listRecordsById(ids);
      },
      listRecordBindings: ids => store.listRecordBindings(ids),
    });
    // The hashes say ok; by the time the data is read, apps is failing.
    await store.applyTargetSnapshot(
      TARGET,
      [failing({ name: 'apps' })],
      mergeObservations,
    );
    expect(names((await reader.read()).records)).toEqual(['apps']);
    // The hash kept is the data's: the next read parses nothing.
    hashes = await store.listRecordHashes();
    fetched.length = 0;
    expect(names((await reader.read()).records)).toEqual(['apps']);
    expect(fetched).toEqual([]);
  });

  it('forgets a record deleted between reading hashes and data', async () => {
    const { store } = await setup('SQLITE_3');
    await store.applyTargetSnapshot(
      TARGET,
      [broken, guestbook],
      mergeObservations,
    );
    const stale = await store.listRecordHashes();
    await store.applyTargetSnapshot(TARGET, [], mergeObservations);
    const stalled = new AlertInputReader({
      listRecordHashes: async () => stale,
      listRecordsById: ids => store.listRecordsById(ids),
      listRecordBindings: ids => store.listRecordBindings(ids),
    });
    expect(await stalled.read()).toEqual({
      records: [],
      argoApplicationsByInstance: new Map(),
    });
  });
});
