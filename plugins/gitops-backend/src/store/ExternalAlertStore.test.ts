import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import type { ExternalAlert } from '@gitops-status/plugin-gitops-common';
import type { Knex } from 'knex';
import { ExternalAlertStore } from './ExternalAlertStore';

jest.setTimeout(60_000);

const APPS_DEV = 'flux|dev|flux-system|Kustomization|apps';
const APPS_PROD = 'flux|prod|flux-system|Kustomization|apps';
const PODINFO = 'flux|dev|podinfo|HelmRelease|podinfo';
const GUESTBOOK = 'argocd|dev|argocd|Application|guestbook';

function alert(over: Partial<ExternalAlert> = {}): ExternalAlert {
  return {
    id: 'a1',
    endpoint: 'prom',
    origin: 'prometheus',
    alertname: 'ReconciliationFailure',
    severity: 'critical',
    summary: 'Kustomization flux-system/apps reconciliation has been failing',
    since: '2026-11-23T12:00:00.000Z',
    url: 'https://prometheus.example.com/alerts?search=ReconciliationFailure',
    labels: {
      alertname: 'ReconciliationFailure',
      exported_namespace: 'flux-system',
      kind: 'Kustomization',
      name: 'apps',
      severity: 'page',
    },
    recordIds: [APPS_DEV, APPS_PROD],
    ...over,
  };
}

const podinfo = alert({
  id: 'a2',
  alertname: 'FluxHelmreleaseFailure',
  severity: 'warning',
  summary: 'Flux HelmRelease Failure',
  description: 'The HelmRelease podinfo is not ready',
  since: '2026-11-23T12:05:00.000Z',
  labels: { alertname: 'FluxHelmreleaseFailure', name: 'podinfo' },
  recordIds: [PODINFO],
});

const ids = (alerts: ExternalAlert[]) =>
  alerts.map(a => `${a.endpoint}/${a.id}`);

describe('ExternalAlertStore', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  async function setup(databaseId: any) {
    const knex = await databases.init(databaseId);
    const store = await ExternalAlertStore.create({
      database: mockServices.database({ knex, migrations: { skip: false } }),
    });
    return { knex, store };
  }

  /** Entity bindings as the collector writes them (gitops_entity_bindings). */
  async function bind(knex: Knex, bindings: Array<[string, string]>) {
    await knex('gitops_entity_bindings').insert(
      bindings.map(([entity_ref, record_id]) => ({ entity_ref, record_id })),
    );
  }

  it.each(databases.eachSupportedId())(
    'replaces an endpoint snapshot, writing only what changed, on %p',
    async databaseId => {
      const { store } = await setup(databaseId);
      // 2 alerts + 3 record links
      expect(await store.replaceEndpoint('prom', [alert(), podinfo])).toBe(5);
      expect(await store.replaceEndpoint('prom', [podinfo, alert()])).toBe(0);
      // Another endpoint's snapshot is its own.
      expect(
        await store.replaceEndpoint('am', [
          alert({ id: 'f00d', endpoint: 'am', origin: 'alertmanager' }),
        ]),
      ).toBe(3);

      // One summary changes: its row is updated, its 2 links rewritten (2 deleted, 2 inserted).
      const changed = alert({ summary: 'still failing' });
      expect(await store.replaceEndpoint('prom', [changed, podinfo])).toBe(5);
      // It now names one record only: 1 row + 2 links deleted + 1 inserted.
      expect(
        await store.replaceEndpoint('prom', [
          { ...changed, recordIds: [APPS_PROD] },
          podinfo,
        ]),
      ).toBe(4);
      // podinfo resolved: its row and link go.
      expect(
        await store.replaceEndpoint('prom', [
          { ...changed, recordIds: [APPS_PROD] },
        ]),
      ).toBe(2);

      expect(await store.list()).toEqual([
        {
          ...alert({ id: 'f00d', endpoint: 'am', origin: 'alertmanager' }),
          entityRefs: [],
        },
        { ...changed, recordIds: [APPS_PROD], entityRefs: [] },
      ]);
      expect(await store.replaceEndpoint('prom', [])).toBe(2);
      expect(ids(await store.list())).toEqual(['am/f00d']);
    },
  );

  it.each(databases.eachSupportedId())(
    "finds an entity's alerts through its bound records, on %p",
    async databaseId => {
      const { knex, store } = await setup(databaseId);
      await bind(knex, [
        ['component:default/apps', APPS_DEV],
        ['component:default/apps', APPS_PROD],
        ['system:default/platform', APPS_PROD],
        ['component:default/podinfo', PODINFO],
      ]);
      await store.replaceEndpoint('prom', [alert(), podinfo]);
      await store.replaceEndpoint('am', [
        alert({
          id: 'beef',
          endpoint: 'am',
          origin: 'alertmanager',
          alertname: 'ArgocdServiceNotSynced',
          severity: 'warning',
          since: '2026-11-23T12:10:00.000Z',
          recordIds: [GUESTBOOK],
        }),
      ]);

      // Worst first, then newest first; every alert with the entities of its records.
      const all = await store.list();
      expect(
        all.map(a => [a.endpoint, a.id, a.severity, a.entityRefs]),
      ).toEqual([
        [
          'prom',
          'a1',
          'critical',
          ['component:default/apps', 'system:default/platform'],
        ],
        ['am', 'beef', 'warning', []],
        ['prom', 'a2', 'warning', ['component:default/podinfo']],
      ]);
      expect(all[2]).toEqual({
        ...podinfo,
        entityRefs: ['component:default/podinfo'],
      });

      expect(
        ids(await store.list({ entityRefs: ['component:default/apps'] })),
      ).toEqual(['prom/a1']);
      expect(
        ids(await store.list({ entityRefs: ['component:default/nothing'] })),
      ).toEqual([]);
      expect(
        ids(await store.list({ recordIds: [PODINFO, GUESTBOOK] })),
      ).toEqual(['am/beef', 'prom/a2']);
      // Both filters: alerts satisfying both.
      expect(
        ids(
          await store.list({
            recordIds: [PODINFO, APPS_DEV],
            entityRefs: ['component:default/podinfo'],
          }),
        ),
      ).toEqual(['prom/a2']);

      // A caller allowed to see only the platform system: no unbound alert, and only the entities
      // it may see.
      expect(
        await store.list({ allowedEntityRefs: ['system:default/platform'] }),
      ).toEqual([
        {
          ...alert(),
          entityRefs: ['system:default/platform'],
        },
      ]);

      // Rebinding shows at once, without rewriting the alerts.
      await knex('gitops_entity_bindings')
        .where({ record_id: PODINFO })
        .delete();
      await bind(knex, [['component:default/guestbook', GUESTBOOK]]);
      expect((await store.list()).map(a => [a.id, a.entityRefs])).toEqual([
        ['a1', ['component:default/apps', 'system:default/platform']],
        ['beef', ['component:default/guestbook']],
        ['a2', []],
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'forgets endpoints no longer configured, on %p',
    async databaseId => {
      const { store } = await setup(databaseId);
      await store.replaceEndpoint('prom', [alert()]);
      await store.replaceEndpoint('old', [alert({ id: 'x', endpoint: 'old' })]);
      expect(await store.retainEndpoints(['prom', 'am'])).toBe(3);
      expect(await store.retainEndpoints(['prom', 'am'])).toBe(0);
      expect(ids(await store.list())).toEqual(['prom/a1']);
    },
  );

  it.each(databases.eachSupportedId())(
    'handles snapshots larger than one statement, on %p',
    async databaseId => {
      const { knex, store } = await setup(databaseId);
      const many = Array.from({ length: 450 }, (_, i) => {
        const name = `app-${String(i).padStart(3, '0')}`;
        return alert({
          id: `id-${String(i).padStart(3, '0')}`,
          labels: { alertname: 'X', name },
          recordIds: [`flux|dev|flux-system|Kustomization|${name}`],
        });
      });
      await bind(
        knex,
        many.map(a => [`component:default/${a.labels.name}`, a.recordIds[0]]),
      );
      expect(await store.replaceEndpoint('prom', many)).toBe(900);
      expect(await store.replaceEndpoint('prom', many)).toBe(0);
      const refs = many.map(a => `component:default/${a.labels.name}`);
      expect(await store.list({ entityRefs: refs })).toHaveLength(450);
      expect(
        await store.list({ recordIds: many.map(a => a.recordIds[0]) }),
      ).toHaveLength(450);
      expect(
        await store.list({ allowedEntityRefs: refs.slice(0, 300) }),
      ).toHaveLength(300);
      expect(await store.replaceEndpoint('prom', many.slice(0, 10))).toBe(880);
      expect(await store.list()).toHaveLength(10);
    },
  );
});
