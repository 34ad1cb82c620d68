/*
 * Test-only: the HTTP API over a store, with one annotated Component (`component:default/apps`)
 * whose failing Kustomization `flux-system/apps` on `dev` is bound to it.
 */
import {
  mockErrorHandler,
  mockServices,
  type TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import express from 'express';
import { failing } from '../../alerts/__testUtils__/fixtures';
import { ClusterDirectory } from '../../config/clusters';
import { mergeObservations } from '../../merge/merge';
import { GitOpsStore } from '../../store/GitOpsStore';
import { createRouter, type RouterOptions } from '../router';

export const APPS_RECORD_ID = 'flux|dev|flux-system|Kustomization|apps';

export const appsEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'apps',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'apps' },
  },
  spec: {},
};

/** A migrated SQLite store holding the failing `apps` Kustomization, bound to the apps Component. */
export async function storeWithFailingApps(databases: TestDatabases) {
  const knex = await databases.init('SQLITE_3');
  const database = mockServices.database({
    knex,
    migrations: { skip: false },
  });
  const store = await GitOpsStore.create({ database });
  await store.applyTargetSnapshot(
    'kubernetes:dev',
    [
      failing({
        name: 'apps',
        labels: { 'backstage.io/kubernetes-id': 'apps' },
      }),
    ],
    mergeObservations,
  );
  await store.replaceEntities([{ entityRef: 'component:default/apps' }]);
  await store.setBindings(
    new Map([[APPS_RECORD_ID, ['component:default/apps']]]),
  );
  return { store, database };
}

/**
 * The router as an express app with the mock error handler. Defaults: mock auth (anonymous callers
 * get 401 from the plugin's HTTP router, not here), allow-all permissions, the apps Component in the
 * catalog, no clusters.
 */
export async function routerApp(
  options: Pick<RouterOptions, 'store'> & Partial<RouterOptions>,
) {
  const router = await createRouter({
    httpAuth: mockServices.httpAuth(),
    permissions: mockServices.permissions(),
    catalog: catalogServiceMock({ entities: [appsEntity] }),
    clusters: new ClusterDirectory([]),
    ...options,
  });
  return express().use(router).use(mockErrorHandler());
}
