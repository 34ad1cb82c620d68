import {
  TestDatabases,
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import request from 'supertest';
import { mergeObservations } from '../merge/merge';
import { GitOpsStore } from '../store/GitOpsStore';
import { ClusterDirectory } from '../config/clusters';
import { failing } from '../alerts/__testUtils__/fixtures';
import { createRouter } from './router';

jest.setTimeout(60_000);

describe('GET /entity/{kind}/{namespace}/{name}/history', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  async function app(result: AuthorizeResult) {
    const knex = await databases.init('SQLITE_3');
    const database = mockServices.database({
      knex,
      migrations: { skip: false },
    });
    const store = await GitOpsStore.create({ database });
    const bad = failing({ name: 'apps' });
    await store.applyTargetSnapshot('kubernetes:dev', [bad], mergeObservations);
    await store.setBindings(
      new Map([
        ['flux|dev|flux-system|Kustomization|apps', ['component:default/apps']],
      ]),
    );
    const router = await createRouter({
      // Anonymous callers get 401 from the plugin's HTTP router (tested in scenario.test.ts).
      httpAuth: mockServices.httpAuth(),
      permissions: mockServices.permissions.mock({
        authorize: async (reqs: unknown[]) => reqs.map(() => ({ result })),
      } as any),
      catalog: catalogServiceMock({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: {
              name: 'apps',
              namespace: 'default',
              annotations: { 'backstage.io/kubernetes-id': 'apps' },
            },
            spec: {},
          },
        ],
      }),
      store,
      clusters: new ClusterDirectory([]),
      historyRetentionDays: 30,
    });
    return express().use(router).use(mockErrorHandler());
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
        recordId: 'flux|dev|flux-system|Kustomization|apps',
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
        recordId: 'flux|dev|flux-system|Kustomization|apps',
      });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('gitops.actions.enabled');
  });
});
