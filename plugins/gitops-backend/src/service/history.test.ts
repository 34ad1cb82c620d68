import {
  TestDatabases,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import {
  APPS_RECORD_ID,
  routerApp,
  storeWithFailingApps,
} from './__testUtils__/routerApp';

jest.setTimeout(60_000);

describe('GET /entity/{kind}/{namespace}/{name}/history', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  async function app(result: AuthorizeResult) {
    const { store } = await storeWithFailingApps(databases);
    return routerApp({
      store,
      permissions: mockServices.permissions.mock({
        authorize: async (reqs: unknown[]) => reqs.map(() => ({ result })),
      } as any),
      historyRetentionDays: 30,
    });
  }

  it('serves the events of the entity to a caller allowed to read it', async () => {
    const res = await request(await app(AuthorizeResult.ALLOW))
      .get('/entity/component/default/apps/history')
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    expect(res.body.retentionDays).toBe(30);
    expect(res.body.events).toEqual([
      expect.objectContaining({
        event: 'appeared',
        recordId: APPS_RECORD_ID,
        state: 'error',
      }),
    ]);
    expect(res.body.deployments).toEqual([]);
  });

  it('refuses a caller not allowed to read the entity, bad cursors and unknown entities', async () => {
    const denied = await request(await app(AuthorizeResult.DENY))
      .get('/entity/component/default/apps/history')
      .set('Authorization', mockCredentials.user.header());
    expect(denied.status).toBe(403);
    const allowed = await app(AuthorizeResult.ALLOW);
    const badCursor = await request(allowed)
      .get('/entity/component/default/apps/history?before=1%20or%201=1')
      .set('Authorization', mockCredentials.user.header());
    expect(badCursor.status).toBe(400);
    const missing = await request(allowed)
      .get('/entity/component/default/nope/history')
      .set('Authorization', mockCredentials.user.header());
    expect(missing.status).toBe(404);
  });

  it('refuses actions when they are turned off (the default)', async () => {
    const res = await request(await app(AuthorizeResult.ALLOW))
      .post('/entity/component/default/apps/actions')
      .set('Authorization', mockCredentials.user.header())
      .send({
        action: 'reconcile',
        recordId: APPS_RECORD_ID,
      });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('gitops.actions.enabled');
  });
});
