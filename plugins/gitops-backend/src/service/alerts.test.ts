import {
  TestDatabases,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { AlertEvaluator, AlertStore } from '../alerts';
import { listBoundRecords } from '../alerts/__testUtils__/boundRecords';
import {
  alertsConfig,
  FakeClock,
  health,
  MINUTE,
} from '../alerts/__testUtils__/fixtures';
import { ExternalAlertStore } from '../store/ExternalAlertStore';
import {
  APPS_RECORD_ID,
  routerApp,
  storeWithFailingApps,
} from './__testUtils__/routerApp';

jest.setTimeout(60_000);

describe('alerts over HTTP', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('serves /alerts and alerts in the entity status', async () => {
    const { store, database } = await storeWithFailingApps(databases);
    const alerts = await AlertStore.create({ database, skipMigrations: true });
    await store.setSourceHealth(health({ status: 'error', message: 'boom' }));
    const clock = new FakeClock();
    const evaluator = new AlertEvaluator({
      store: alerts,
      config: alertsConfig(),
      readInputs: async () => ({ records: await listBoundRecords(store) }),
      listSourceHealth: () => store.listSourceHealth(),
      now: clock.now,
    });
    await evaluator.evaluate();
    clock.advance(5 * MINUTE);
    expect(await evaluator.evaluate()).toHaveLength(2);

    // A firing alert read from an Alertmanager, naming the bound record.
    const externalAlerts = await ExternalAlertStore.create({
      database,
      skipMigrations: true,
    });
    await externalAlerts.replaceEndpoint('am', [
      {
        id: 'f1',
        endpoint: 'am',
        origin: 'alertmanager',
        alertname: 'FluxKustomizationFailure',
        severity: 'warning',
        summary: 'Flux Kustomization Failure',
        since: '2026-11-23T12:00:00.000Z',
        url: 'http://127.0.0.1:9093/#/alerts',
        labels: { name: 'apps', exported_namespace: 'flux-system' },
        recordIds: [APPS_RECORD_ID],
      },
    ]);

    const build = (permissions = mockServices.permissions()) =>
      routerApp({ store, permissions, alerts, externalAlerts });
    const app = await build();
    const all = await request(app)
      .get('/alerts?history=true')
      .set('Authorization', mockCredentials.user.header());
    expect(all.status).toBe(200);
    expect(all.body.alerts.map((a: any) => a.rule)).toEqual([
      'KustomizationNotReady',
      'SourceStale',
    ]);
    expect(all.body.events).toHaveLength(2);
    expect(all.body.externalAlerts).toEqual([
      expect.objectContaining({
        alertname: 'FluxKustomizationFailure',
        entityRefs: ['component:default/apps'],
      }),
    ]);
    // Filters apply to them too: a rule they do not have, a status they cannot be in.
    for (const query of ['rule=KustomizationNotReady', 'status=resolved']) {
      const other = await request(app)
        .get(`/alerts?${query}`)
        .set('Authorization', mockCredentials.user.header());
      expect(other.body.externalAlerts ?? []).toEqual([]);
    }
    const filtered = await request(app)
      .get(
        `/alerts?entity=${encodeURIComponent(
          'component:default/APPS',
        )}&status=firing&severity=warning`,
      )
      .set('Authorization', mockCredentials.user.header());
    expect(filtered.status).toBe(200);
    expect(filtered.body.alerts.map((a: any) => a.rule)).toEqual([
      'KustomizationNotReady',
    ]);
    const badQuery = await request(app)
      .get('/alerts?status=open')
      .set('Authorization', mockCredentials.user.header());
    expect(badQuery.status).toBe(400);

    const status = await request(app)
      .get('/entity/component/default/apps/status')
      .set('Authorization', mockCredentials.user.header());
    expect(status.status).toBe(200);
    expect(status.body.alerts.map((a: any) => a.rule)).toEqual([
      'KustomizationNotReady',
      'SourceStale',
    ]);
    expect(
      status.body.externalAlerts.map((a: any) => [a.alertname, a.url]),
    ).toEqual([['FluxKustomizationFailure', 'http://127.0.0.1:9093/#/alerts']]);

    const permissionsWith = (conditional: AuthorizeResult) =>
      ({
        authorize: async (reqs: unknown[]) =>
          reqs.map(() => ({ result: AuthorizeResult.ALLOW })),
        authorizeConditional: async () => [
          conditional === AuthorizeResult.CONDITIONAL
            ? {
                result: conditional,
                pluginId: 'gitops',
                resourceType: 'catalog-entity',
                conditions: { rule: 'X', params: {} },
              }
            : { result: conditional },
        ],
      } as any);
    // Denied every entity: no alerts, not even source ones.
    const none = await request(
      await build(permissionsWith(AuthorizeResult.DENY)),
    )
      .get('/alerts')
      .set('Authorization', mockCredentials.user.header());
    expect(none.status).toBe(200);
    expect(none.body.alerts).toEqual([]);
    expect(none.body.externalAlerts).toEqual([]);
    // Conditional: the alerts of the allowed entities, and no source alerts.
    const some = await request(
      await build(permissionsWith(AuthorizeResult.CONDITIONAL)),
    )
      .get('/alerts')
      .set('Authorization', mockCredentials.user.header());
    expect(some.status).toBe(200);
    expect(some.body.alerts.map((a: any) => a.rule)).toEqual([
      'KustomizationNotReady',
    ]);
  });
});
