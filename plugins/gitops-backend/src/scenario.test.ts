/*
 * Issue #9's "done when" against the demo fleet, through the real plugin: the scenario's failing
 * HelmRelease (ingress-nginx on staging: UpgradeFailed from 77.5 s, recovered at 167.5 s) fires
 * HelmReleaseNotReady once and resolves it once, and the history shows the scenario's rollouts.
 * Expectations are read from the fleet's own scenario at each step, not from the plugin.
 */
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
  AlertsResponse,
  EntityHistoryResponse,
} from '@gitops-status/plugin-gitops-common';
import request from 'supertest';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  notificationService,
  type NotificationSendOptions,
} from '@backstage/plugin-notifications-node';
import { gitopsPlugin } from './plugin';
import { fleetClustersConfig } from './__testUtils__/fleetConfig';

jest.setTimeout(120_000);

const component = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': name },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
});

/** Scenario times visited: before, during and after the ingress-nginx failure, and four rollouts. */
const STEPS_MS = [
  0, 80_000, 100_000, 170_000, 190_000, 280_000, 370_000, 420_000,
];

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const commitOf = (revision?: string) => revision?.split('@sha1:')[1];

describe('the demo scenario: alerts and history', () => {
  let fleet: DemoFleet;
  let server: any;
  const notified: NotificationSendOptions[] = [];
  /** What the scenario said at each step, per object. */
  const seen: Array<Map<string, ScenarioObject>> = [];
  const key = (o: ScenarioObject) =>
    `${o.cluster}/${o.kind}/${o.namespace}/${o.name}`;

  beforeAll(async () => {
    fleet = await startDemoFleet({ clock: 'manual' });
    // The mock scheduler runs a task on triggerTask and awaits it.
    const scheduler: any = mockServices.scheduler();
    const backend = await startTestBackend({
      features: [
        gitopsPlugin,
        scheduler.factory({ skipTaskRunOnStartup: true }),
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({ send: async o => void notified.push(o) }),
        }),
        catalogServiceMock.factory({
          entities: [component('ingress-nginx'), component('podinfo')],
        }),
        mockServices.rootConfig.factory({
          data: {
            gitops: {
              collection: {
                frequency: { hours: 1 },
                sessionDuration: { milliseconds: 600 },
                requestTimeout: { milliseconds: 2000 },
              },
              clusters: fleetClustersConfig(fleet),
              // The scenario compresses minutes into seconds; so do the rule's timers.
              alerts: {
                // Not installed in this test backend: turned on by config.
                notifications: { enabled: true },
                rules: {
                  HelmReleaseNotReady: {
                    for: { milliseconds: 1 },
                    resolveAfter: { milliseconds: 1 },
                  },
                },
              },
            },
          },
        }),
      ],
    });
    server = backend.server;
    for (const at of STEPS_MS) {
      fleet.advance(at - (seen.length ? STEPS_MS[seen.length - 1] : 0));
      seen.push(new Map(fleet.scenario.objects.map(o => [key(o), o])));
      // Two sessions a step: the first sees the change (pending), the second lets `for` pass.
      await scheduler.triggerTask('gitops-collect');
      await sleep(5);
      await scheduler.triggerTask('gitops-collect');
    }
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  it('fires HelmReleaseNotReady for the failing HelmRelease once, and resolves it once', async () => {
    const readiness = seen.map(
      step =>
        [...step.values()].find(
          o =>
            o.cluster === 'staging' &&
            o.kind === 'HelmRelease' &&
            o.name === 'ingress-nginx',
        )?.ready,
    );
    // The scenario: ready, failing for a while, ready again.
    expect(readiness[0]).toBe('True');
    expect(readiness).toContain('False');
    expect(readiness[readiness.length - 1]).toBe('True');

    const res = await request(server)
      .get(
        '/api/gitops/alerts?history=true&rule=HelmReleaseNotReady&status=pending&status=firing&status=resolved',
      )
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    const body: AlertsResponse = res.body;
    const mine = body.alerts.filter(
      a => a.labels.cluster === 'staging' && a.labels.name === 'ingress-nginx',
    );
    expect(mine).toHaveLength(1);
    expect(mine[0].status).toBe('resolved');
    expect(mine[0].entityRefs).toEqual(['component:default/ingress-nginx']);
    const transitions = (body.events ?? [])
      .filter(e => e.alertId === mine[0].id)
      .map(e => e.transition)
      .sort();
    expect(transitions).toEqual(['fired', 'resolved']);

    // The owners heard about it once when it fired and once when it resolved.
    const aboutNginx = notified.filter(n =>
      n.payload.scope?.includes(mine[0].id),
    );
    expect(aboutNginx.map(n => n.payload.severity)).toEqual(['high', 'low']);
    expect(aboutNginx.map(n => n.recipients)).toEqual([
      { type: 'entity', entityRef: 'component:default/ingress-nginx' },
      { type: 'entity', entityRef: 'component:default/ingress-nginx' },
    ]);
  });

  it("shows the scenario's rollouts in the entity's history, with the clusters and readiness", async () => {
    // Expected: every change of a podinfo Kustomization's applied revision between two steps.
    const expected = new Set<string>();
    const readyLater = new Set<string>();
    for (let i = 1; i < seen.length; i++) {
      for (const o of seen[i].values()) {
        if (
          o.kind !== 'Kustomization' ||
          o.labels['backstage.io/kubernetes-id'] !== 'podinfo'
        )
          continue;
        const before = seen[i - 1].get(key(o));
        if (!before || before.appliedRevision === o.appliedRevision) continue;
        const pair = `${commitOf(o.appliedRevision)}@${o.cluster}`;
        expected.add(pair);
        const ready = seen
          .slice(i)
          .some(
            s =>
              s.get(key(o))?.appliedRevision === o.appliedRevision &&
              s.get(key(o))?.ready === 'True',
          );
        if (ready) readyLater.add(pair);
      }
    }
    // The scenario rolled at least three commits to all four clusters meanwhile.
    expect(expected.size).toBeGreaterThanOrEqual(8);

    const res = await request(server)
      .get(
        '/api/gitops/entity/component/default/podinfo/history?deployments=50',
      )
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    const body: EntityHistoryResponse = res.body;
    const got = new Set<string>();
    const ready = new Set<string>();
    for (const d of body.deployments) {
      for (const t of d.targets.filter(x => x.kind === 'Kustomization')) {
        got.add(`${d.commit}@${t.cluster}`);
        if (t.outcome === 'ready') ready.add(`${d.commit}@${t.cluster}`);
      }
    }
    expect([...got].sort()).toEqual([...expected].sort());
    expect([...ready].sort()).toEqual([...readyLater].sort());
    // Newest first.
    const firsts = body.deployments.map(d => d.firstDeployedAt);
    expect(firsts).toEqual([...firsts].sort().reverse());
    expect(body.events.length).toBeGreaterThan(0);
  });

  it('refuses history without credentials', async () => {
    const res = await request(server).get(
      '/api/gitops/entity/component/default/podinfo/history',
    );
    expect(res.status).toBe(401);
  });
});
