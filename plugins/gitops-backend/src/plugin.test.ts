/*
 * End to end through the real plugin: the demo fleet's clusters (over HTTPS, with
 * @kubernetes/client-node), the collector, the store, the catalog bindings and the HTTP API.
 * Expected values come from the fleet's scenario (its own timeline), not from our normalizers.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  startDemoFleet,
  type DemoFleet,
  type ScenarioObject,
} from '@gitops-status/demo-fleet';
import type {
  EntityStatusResponse,
  GitOpsRecord,
} from '@gitops-status/plugin-gitops-common';
import request from 'supertest';
import { parseAllDocuments } from 'yaml';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { gitopsPlugin } from './plugin';
import { fleetClustersConfig } from './__testUtils__/fleetConfig';

const publish = jest.fn(async () => {});

jest.setTimeout(60_000);

function readExamples(file: string): Entity[] {
  return parseAllDocuments(
    fs.readFileSync(path.resolve(__dirname, '../../../examples', file), 'utf8'),
  ).map(d => d.toJSON());
}

/** The relations the catalog's processors derive from spec.system and spec.owner. */
function withRelations(entity: Entity): Entity {
  const spec = (entity.spec ?? {}) as { system?: string; owner?: string };
  const relations = [];
  if (spec.system)
    relations.push({
      type: 'partOf',
      targetRef: `system:default/${spec.system}`,
    });
  if (spec.owner)
    relations.push({
      type: 'ownedBy',
      targetRef: `group:default/${spec.owner}`,
    });
  return { ...entity, relations };
}

const examples: Entity[] = [
  ...readExamples('entities.yaml'),
  ...readExamples('org.yaml'),
].map(withRelations);

/** The verdict kstatus gives a Flux object from its Ready condition (documented semantics). */
function expectedFluxState(o: ScenarioObject): GitOpsRecord['state'] {
  if (o.suspended) return 'suspended';
  if (o.stalled || o.ready === 'False') return 'error';
  if (o.reconciling || o.ready === 'Unknown') return 'progressing';
  return 'ok';
}

const identity = (r: {
  cluster: string;
  kind: string;
  namespace: string;
  name: string;
}) => `${r.cluster}/${r.kind}/${r.namespace}/${r.name}`;

describe('gitops backend plugin against the demo fleet', () => {
  let fleet: DemoFleet;
  let server: any;
  let scheduler: any;

  const session = () => scheduler.triggerTask('gitops-collect');
  const status = (name: string) =>
    request(server)
      .get(`/api/gitops/entity/component/default/${name}/status`)
      .set('Authorization', mockCredentials.user.header());

  beforeAll(async () => {
    fleet = await startDemoFleet({ clock: 'manual' });
    // 80 s in: commit 1 is rolling out; on staging ingress-nginx's upgrade has just failed and
    // payments-db is failing its health check (see packages/demo-fleet/README.md).
    fleet.advance(80_000);
    scheduler = mockServices.scheduler();
    const backend = await startTestBackend({
      features: [
        gitopsPlugin,
        scheduler.factory({ skipTaskRunOnStartup: true }),
        // A request without credentials is anonymous (the mock's default would be a user).
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        catalogServiceMock.factory({ entities: examples }),
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({ publish }),
        }),
        mockServices.rootConfig.factory({
          data: {
            gitops: {
              collection: {
                frequency: { hours: 1 },
                sessionDuration: { milliseconds: 1500 },
                requestTimeout: { milliseconds: 1000 },
              },
              clusters: fleetClustersConfig(fleet),
            },
          },
        }),
      ],
    });
    server = backend.server;
    await session();
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  it('serves each example entity the objects the scenario has, with their states', async () => {
    const scenario = fleet.scenario;
    const res = await status('podinfo');
    expect(res.status).toBe(200);
    const body: EntityStatusResponse = res.body;
    const expected = scenario.objects.filter(
      o => o.labels['backstage.io/kubernetes-id'] === 'podinfo',
    );
    expect(expected.length).toBeGreaterThanOrEqual(8); // Kustomization + HelmRelease on 4 clusters
    expect(body.records.map(identity).sort()).toEqual(
      expected.map(identity).sort(),
    );
    const got = (o: ScenarioObject) =>
      body.records.find(x => identity(x) === identity(o))!;
    expect(expected.map(o => [identity(o), got(o).state])).toEqual(
      expected.map(o => [identity(o), expectedFluxState(o)]),
    );
    const kustomizations = expected.filter(o => o.kind === 'Kustomization');
    expect(kustomizations.map(o => got(o).revision.applied)).toEqual(
      kustomizations.map(o => o.appliedRevision),
    );
    // The commit links to the repository of the GitRepository the Kustomization reads from.
    expect(kustomizations.map(o => got(o).revision.commitUrl)).toEqual(
      kustomizations.map(
        o =>
          `https://github.com/example-org/fleet-infra/commit/${
            o.appliedRevision!.split('@sha1:')[1]
          }`,
      ),
    );
    expect(body.summary.clusters).toEqual([
      'dev',
      'prod-eu',
      'prod-us',
      'staging',
    ]);
    expect(body.sources.every(s => s.status === 'ok')).toBe(true);
  });

  it('shows the failing HelmRelease and the dependency chain on staging', async () => {
    const nginx = fleet.scenario.objects.find(
      o =>
        o.cluster === 'staging' &&
        o.name === 'ingress-nginx' &&
        o.kind === 'HelmRelease',
    )!;
    expect(nginx.ready).toBe('False'); // the scenario's failure window
    const res = await status('ingress-nginx');
    const r = (res.body as EntityStatusResponse).records.find(
      x => x.cluster === 'staging',
    )!;
    expect(r.state).toBe('error');
    expect(r.reason).toBe(nginx.reason);

    const payments = await status('payments-api');
    const api = fleet.scenario.objects.find(
      o => o.cluster === 'staging' && o.name === 'payments-api',
    )!;
    const rec = (payments.body as EntityStatusResponse).records.find(
      x => x.cluster === 'staging' && x.name === 'payments-api',
    )!;
    expect(rec.reason).toBe(api.reason);
    expect(rec.dependsOn).toEqual([
      { kind: 'Kustomization', namespace: 'payments', name: 'payments-db' },
    ]);
  });

  it('binds Argo CD Applications to their destination clusters with the scenario sync and health', async () => {
    const res = await status('guestbook');
    const body: EntityStatusResponse = res.body;
    const apps = fleet.scenario.objects.filter(
      o =>
        o.kind === 'Application' &&
        o.labels['app.kubernetes.io/name'] === 'guestbook',
    );
    expect(body.records).toHaveLength(apps.length);
    for (const app of apps) {
      const r = body.records.find(x => x.name === app.name)!;
      expect(r.cluster).toBe(app.targetCluster);
      expect(r.sync).toBe(app.sync);
      expect(r.health).toBe(app.health);
      expect(r.instance).toBe('main');
    }
  });

  it('answers for a System and a Group with the records of their members, each naming its entity', async () => {
    const res = await request(server)
      .get('/api/gitops/entity/system/default/storefront/status')
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    const system: EntityStatusResponse = res.body;
    const members = examples.filter(
      e => (e.spec as any)?.system === 'storefront',
    );
    const memberStatuses = await Promise.all(
      members.map(
        async m =>
          [
            m.metadata.name,
            ((await status(m.metadata.name)).body as EntityStatusResponse)
              .records.length,
          ] as const,
      ),
    );
    // Every member's objects, once each (members in this example share none).
    expect(system.records).toHaveLength(
      memberStatuses.reduce((n, [, c]) => n + c, 0),
    );
    for (const [name, count] of memberStatuses) {
      expect(
        system.records.filter(r =>
          r.entityRefs?.includes(`component:default/${name}`),
        ),
      ).toHaveLength(count);
    }

    const group: EntityStatusResponse = (
      await request(server)
        .get('/api/gitops/entity/group/default/team-payments/status')
        .set('Authorization', mockCredentials.user.header())
    ).body;
    expect(
      [...new Set(group.records.flatMap(r => r.entityRefs))].sort(),
    ).toEqual([
      'component:default/legacy-batch',
      'component:default/payments-api',
    ]);
  });

  it('serves the org-wide deployments view filtered by owner and state, and traces the latest commit', async () => {
    const get = (url: string) =>
      request(server)
        .get(url)
        .set('Authorization', mockCredentials.user.header());
    const res = await get(
      `/api/gitops/deployments?owner=${encodeURIComponent(
        'group:default/team-payments',
      )}&limit=500`,
    );
    expect(res.status).toBe(200);
    const owned = examples
      .filter(e => (e.spec as any)?.owner === 'team-payments')
      .map(e => e.metadata.name);
    const expectedCount = (
      await Promise.all(
        owned.map(
          async n =>
            ((await status(n)).body as EntityStatusResponse).records.length,
        ),
      )
    ).reduce((a, b) => a + b, 0);
    expect(res.body.totalItems).toBe(expectedCount);
    expect(res.body.facets.owner).toEqual(
      expect.arrayContaining([
        { value: 'group:default/team-payments', count: expectedCount },
      ]),
    );
    // One value of a repeated parameter, and two: both parse as lists.
    const failing = await get(
      '/api/gitops/deployments?state=error&state=warning&limit=500',
    );
    expect(
      failing.body.items.every((i: any) =>
        ['error', 'warning'].includes(i.record.state),
      ),
    ).toBe(true);
    expect((await get('/api/gitops/deployments?limit=100000')).status).toBe(
      400,
    );

    const { rollout } = fleet.scenario;
    const trace = await get(
      `/api/gitops/deployments/commits/${rollout.sha.slice(0, 7)}`,
    );
    expect(trace.status).toBe(200);
    const appliedApps = new Set(
      trace.body.applied
        .filter(
          (r: any) =>
            r.record.kind === 'Kustomization' && r.record.name === 'apps',
        )
        .map((r: any) => r.record.cluster),
    );
    expect([...appliedApps].sort()).toEqual([...rollout.appliedOn].sort());
    expect((await get('/api/gitops/deployments/commits/not-hex')).status).toBe(
      400,
    );
  });

  it('explains an entity without annotation and 404s an unknown one', async () => {
    const res = await status('docs-site');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      records: [],
      emptyReason: 'no-annotation',
    });
    expect((await status('no-such-thing')).status).toBe(404);
  });

  it('refuses unauthenticated requests', async () => {
    const res = await request(server).get(
      '/api/gitops/entity/component/default/podinfo/status',
    );
    expect(res.status).toBe(401);
    expect((await request(server).get('/api/gitops/clusters')).status).toBe(
      401,
    );
  });

  it('never calls a cluster to serve a page view', async () => {
    fleet.resetRequestCount();
    for (let i = 0; i < 100; i++) {
      const res = await status(
        ['podinfo', 'guestbook', 'checkout', 'payments-api'][i % 4],
      );
      expect(res.status).toBe(200);
    }
    expect(fleet.requestCount()).toBe(0);
  });

  it('reports a failing cluster as its source error with its age while the others keep working', async () => {
    const before = (await status('podinfo')).body as EntityStatusResponse;
    fleet.setFault('staging', 'unauthorized');
    fleet.setFault('prod-us', 'garbage');
    fleet.setFault('prod-eu', { type: 'slow', delayMs: 5_000 } as any);
    fleet.advance(30_000); // things move on the healthy cluster
    try {
      await session();
    } finally {
      fleet.setFault('staging', undefined);
      fleet.setFault('prod-us', undefined);
      fleet.setFault('prod-eu', undefined);
    }
    const res = await request(server)
      .get('/api/gitops/clusters')
      .set('Authorization', mockCredentials.user.header());
    const byName = Object.fromEntries(
      res.body.clusters.map((c: any) => [c.name, c.sources[0]]),
    );
    expect(byName.dev.status).toBe('ok');
    expect(byName.staging).toMatchObject({
      status: 'error',
      message: expect.stringContaining('cluster staging: list'),
    });
    expect(byName.staging.message).toContain('401');
    expect(byName['prod-us']).toMatchObject({
      status: 'error',
      message: expect.stringContaining('cluster prod-us'),
    });
    expect(byName['prod-eu']).toMatchObject({
      status: 'error',
      message: expect.stringContaining('timed out'),
    });
    for (const name of ['staging', 'prod-us', 'prod-eu']) {
      expect(byName[name].lastSuccessAt).toBeDefined(); // the age of the data still shown
    }

    const after = (await status('podinfo')).body as EntityStatusResponse;
    // Error messages from failing clusters carry no credential.
    expect(JSON.stringify([res.body, after])).not.toContain(fleet.token);
    // Nothing lost: every object is still there, the failing clusters' ones marked stale.
    expect(after.records.map(identity).sort()).toEqual(
      before.records.map(identity).sort(),
    );
    expect(after.records.map(r => [identity(r), r.stale?.since])).toEqual(
      after.records.map(r => [
        identity(r),
        r.cluster === 'dev' ? undefined : byName[r.cluster].lastSuccessAt,
      ]),
    );
    // dev moved on with the scenario.
    const devApps = fleet.scenario.objects.find(
      o =>
        o.cluster === 'dev' &&
        o.kind === 'Kustomization' &&
        o.name === 'podinfo',
    )!;
    expect(
      after.records.find(
        r => r.cluster === 'dev' && r.kind === 'Kustomization',
      )!.revision.applied,
    ).toBe(devApps.appliedRevision);
  });

  it('signals open pages when records change', async () => {
    publish.mockClear();
    fleet.advance(60_000);
    await session();
    await new Promise(r => setTimeout(r, 2500)); // one signal per 2 s burst
    expect(publish).toHaveBeenCalledTimes(1);
    expect(publish).toHaveBeenCalledWith(
      expect.objectContaining({
        channel: 'gitops:records',
        recipients: { type: 'broadcast' },
      }),
    );
  });
});
