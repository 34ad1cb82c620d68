/*
 * Actions through the real plugin against the demo fleet: the patch reaches the object's cluster
 * (counted by the fleet), the next collection shows the result, and permission, scope, rate limit
 * and cluster refusals are answered without touching the cluster. Every attempt is audited.
 */
import https from 'node:https';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
  type AuditorServiceCreateEventOptions,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { startDemoFleet, type DemoFleet } from '@gitops-status/demo-fleet';
import type { EntityStatusResponse } from '@gitops-status/plugin-gitops-common';
import request from 'supertest';
import { gitopsPlugin } from '../plugin';
import { fleetCaData, fleetClustersConfig } from '../__testUtils__/fleetConfig';

jest.setTimeout(60_000);

const component = (
  name: string,
  annotations: Record<string, string>,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
});

type Audited = AuditorServiceCreateEventOptions & {
  result?: string;
  error?: string;
};

describe('actions', () => {
  let fleet: DemoFleet;
  let server: any;
  let scheduler: any;
  const audited: Audited[] = [];

  /** A GET of one object straight from the fleet (not through the plugin). */
  const fleetObject = (cluster: string, path: string) =>
    new Promise<any>((resolve, reject) => {
      const c = fleet.clusters.find(x => x.name === cluster)!;
      https
        .get(
          `${c.server}${path}`,
          {
            ca: fleet.caPem,
            headers: { authorization: `Bearer ${fleet.token}` },
          },
          res => {
            let body = '';
            res.on('data', d => (body += d));
            res.on('end', () => resolve(JSON.parse(body)));
          },
        )
        .on('error', reject);
    });

  const act = (entity: string, action: string, recordId: string) =>
    request(server)
      .post(`/api/gitops/entity/component/default/${entity}/actions`)
      .set('Authorization', mockCredentials.user.header())
      .send({ action, recordId });
  const status = async (entity: string): Promise<EntityStatusResponse> =>
    (
      await request(server)
        .get(`/api/gitops/entity/component/default/${entity}/status`)
        .set('Authorization', mockCredentials.user.header())
    ).body;
  const patches = () => fleet.requestCount({ method: 'PATCH' });

  beforeAll(async () => {
    fleet = await startDemoFleet({ clock: 'manual' });
    scheduler = mockServices.scheduler();
    const backend = await startTestBackend({
      features: [
        gitopsPlugin,
        scheduler.factory({ skipTaskRunOnStartup: true }),
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        catalogServiceMock.factory({
          entities: [
            component('podinfo', { 'backstage.io/kubernetes-id': 'podinfo' }),
            component('ingress-nginx', {
              'backstage.io/kubernetes-id': 'ingress-nginx',
            }),
            component('guestbook', {
              'argocd/app-selector': 'app.kubernetes.io/name=guestbook',
            }),
          ],
        }),
        // Suspending ingress-nginx is denied; everything else allowed.
        createServiceFactory({
          service: coreServices.permissions,
          deps: {},
          factory: () => ({
            authorize: async (reqs: any[]) =>
              reqs.map(r => ({
                result:
                  r.permission.name === 'gitops.action.suspend' &&
                  r.resourceRef === 'component:default/ingress-nginx'
                    ? AuthorizeResult.DENY
                    : AuthorizeResult.ALLOW,
              })),
            authorizeConditional: async (reqs: any[]) =>
              reqs.map(() => ({ result: AuthorizeResult.ALLOW })),
          }),
        }),
        createServiceFactory({
          service: coreServices.auditor,
          deps: {},
          factory: () => ({
            createEvent: async (options: AuditorServiceCreateEventOptions) => {
              const entry: Audited = { ...options, request: undefined };
              audited.push(entry);
              return {
                success: async () => void (entry.result = 'succeeded'),
                fail: async ({ error }: { error: Error }) => {
                  entry.result = 'failed';
                  entry.error = error.message;
                },
              };
            },
          }),
        }),
        mockServices.rootConfig.factory({
          data: {
            gitops: {
              collection: {
                frequency: { hours: 1 },
                sessionDuration: { milliseconds: 800 },
                requestTimeout: { milliseconds: 2000 },
              },
              clusters: fleetClustersConfig(fleet),
              argocd: {
                instances: [
                  {
                    name: 'main',
                    url: fleet.argocd.url,
                    token: fleet.token,
                    caData: fleetCaData(fleet),
                    cluster: fleet.argocd.cluster,
                  },
                ],
              },
              actions: { enabled: true, rateLimit: { perObjectSeconds: 30 } },
            },
          },
        }),
      ],
    });
    server = backend.server;
    await scheduler.triggerTask('gitops-collect');
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  it('asks Flux to reconcile now: the annotation reaches the cluster, audited as a success', async () => {
    const before = patches();
    const res = await act(
      'podinfo',
      'reconcile',
      'flux|dev|podinfo|Kustomization|podinfo',
    );
    expect(res.status).toBe(202);
    expect(res.body.message).toBe(
      'requested reconciliation of Kustomization podinfo/podinfo on dev',
    );
    expect(patches()).toBe(before + 1);
    const object = await fleetObject(
      'dev',
      '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/podinfo/kustomizations/podinfo',
    );
    // Flux's contract: the request annotation, and the controller's acknowledgement in the status.
    expect(object.metadata.annotations['reconcile.fluxcd.io/requestedAt']).toBe(
      res.body.at,
    );
    expect(object.status.lastHandledReconcileAt).toBe(res.body.at);
    expect(audited.at(-1)).toMatchObject({
      eventId: 'gitops-action',
      meta: {
        action: 'reconcile',
        recordId: 'flux|dev|podinfo|Kustomization|podinfo',
      },
      result: 'succeeded',
    });
  });

  it('suspends and resumes a Flux object; the next collection shows it', async () => {
    const id = 'flux|staging|podinfo|HelmRelease|podinfo';
    const state = async () =>
      (await status('podinfo')).records.find(
        r => r.cluster === 'staging' && r.kind === 'HelmRelease',
      )!;
    expect((await state()).suspended).toBe(false);
    expect((await act('podinfo', 'suspend', id)).status).toBe(202);
    await scheduler.triggerTask('gitops-collect');
    expect(await state()).toMatchObject({
      suspended: true,
      state: 'suspended',
    });
    // Resuming within the per-object interval is refused: 429 with Retry-After, nothing patched.
    const before = patches();
    const limited = await act('podinfo', 'resume', id);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(patches()).toBe(before);
    expect(audited.at(-1)).toMatchObject({
      result: 'failed',
      error: expect.stringContaining('rate limited'),
    });
  });

  it('refuses what the caller may not do, or objects of other entities, without calling a cluster', async () => {
    const before = patches();
    const denied = await act(
      'ingress-nginx',
      'suspend',
      'flux|staging|ingress-nginx|HelmRelease|ingress-nginx',
    );
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toContain('gitops.action.suspend');
    // ingress-nginx's object through podinfo's page: not one of podinfo's objects.
    expect(
      (
        await act(
          'podinfo',
          'reconcile',
          'flux|staging|ingress-nginx|HelmRelease|ingress-nginx',
        )
      ).status,
    ).toBe(404);
    // Ids that try to name something else.
    for (const hostile of [
      'https://169.254.169.254/latest/meta-data|x|y|Kustomization|z',
      'flux|dev|podinfo|Kustomization|podinfo/../../../api/v1/secrets',
      '../../etc/passwd',
    ]) {
      expect((await act('podinfo', 'reconcile', hostile)).status).toBe(404);
    }
    expect(
      (await act('podinfo', 'delete', 'flux|dev|podinfo|Kustomization|podinfo'))
        .status,
    ).toBe(400);
    const anonymous = await request(server)
      .post('/api/gitops/entity/component/default/podinfo/actions')
      .send({
        action: 'reconcile',
        recordId: 'flux|dev|podinfo|Kustomization|podinfo',
      });
    expect(anonymous.status).toBe(401);
    expect(patches()).toBe(before);
  });

  it('syncs an Argo CD Application through the configured Argo CD API', async () => {
    const app = (await status('guestbook')).records[0];
    const id = `argocd|${app.cluster}|${app.namespace}|Application|${app.name}`;
    const posts = fleet.requestCount({ endpoint: 'argocd', method: 'POST' });
    const patched = patches();
    const res = await act('guestbook', 'reconcile', id);
    expect(res.status).toBe(202);
    expect(res.body.message).toBe(
      `requested a sync of Application ${app.namespace}/${app.name} from Argo CD main`,
    );
    expect(fleet.requestCount({ endpoint: 'argocd', method: 'POST' })).toBe(
      posts + 1,
    );
    expect(patches()).toBe(patched);
    expect((await act('guestbook', 'suspend', id)).status).toBe(400);
  });

  it('says why when the cluster refuses, and never shows its token', async () => {
    fleet.setFault('prod-eu', 'unauthorized');
    try {
      const res = await act(
        'podinfo',
        'reconcile',
        'flux|prod-eu|podinfo|Kustomization|podinfo',
      );
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain('cluster prod-eu refused');
      expect(JSON.stringify(res.body)).not.toContain(fleet.token);
    } finally {
      fleet.setFault('prod-eu', undefined);
    }
    fleet.setFault('prod-us', 'down');
    try {
      const res = await act(
        'podinfo',
        'reconcile',
        'flux|prod-us|podinfo|Kustomization|podinfo',
      );
      expect(res.status).toBe(503);
    } finally {
      fleet.setFault('prod-us', undefined);
    }
  });
});
