import {
  TestDatabases,
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import express from 'express';
import request from 'supertest';
import { mergeObservations } from '../merge/merge';
import { GitOpsStore } from '../store/GitOpsStore';
import { ClusterDirectory } from '../config/clusters';
import { failing, health } from '../alerts/__testUtils__/fixtures';
import { createRouter } from './router';

jest.setTimeout(60_000);

describe('entity status when nobody collects', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('marks records stale once their source has not been tried for longer than a collection takes', async () => {
    const knex = await databases.init('SQLITE_3');
    const database = mockServices.database({
      knex,
      migrations: { skip: false },
    });
    const store = await GitOpsStore.create({ database });
    await store.applyTargetSnapshot(
      'kubernetes:dev',
      [failing({ name: 'apps' })],
      mergeObservations,
    );
    await store.setBindings(
      new Map([
        ['flux|dev|flux-system|Kustomization|apps', ['component:default/apps']],
      ]),
    );
    const app = async (lastAttemptAgoMs: number) => {
      const at = new Date(Date.now() - lastAttemptAgoMs).toISOString();
      await store.setSourceHealth(
        health({ status: 'ok', lastAttemptAt: at, lastSuccessAt: at }),
      );
      const router = await createRouter({
        httpAuth: mockServices.httpAuth(),
        permissions: mockServices.permissions(),
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
        staleAfterMs: 120_000,
      });
      return express().use(router).use(mockErrorHandler());
    };
    const get = async (agoMs: number) =>
      (
        await request(await app(agoMs))
          .get('/entity/component/default/apps/status')
          .set('Authorization', mockCredentials.user.header())
      ).body;

    const fresh = await get(60_000);
    expect(fresh.records[0].stale).toBeUndefined();
    const unattended = await get(180_000);
    expect(unattended.records[0].stale).toEqual({
      since: expect.any(String),
      message: expect.stringMatching(
        /^not collected since .*: no backend replica is collecting$/,
      ),
    });
    expect(unattended.sources[0].status).toBe('error');
  });
});
