/*
 * All four sources at once, through the real plugin: Kubernetes API, Argo CD API and Azure Resource
 * Graph from the demo fleet, and a real Prometheus scraping the fleet's /metrics. Each object is one
 * record listing every source that reported it; turning any one source off keeps the rest working.
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
import { startDemoFleet, type DemoFleet } from '@gitops-status/demo-fleet';
import type {
  EntityStatusResponse,
  SourceType,
} from '@gitops-status/plugin-gitops-common';
import type { JsonObject } from '@backstage/types';
import request from 'supertest';
import { parseAllDocuments } from 'yaml';
import { gitopsPlugin } from './plugin';
import { fleetCaData, fleetClustersConfig } from './__testUtils__/fleetConfig';
import {
  startPrometheusForFleet,
  type PrometheusServer,
} from './sources/prometheus/__testUtils__/prometheusServer';

jest.setTimeout(120_000);

const entities: Entity[] = parseAllDocuments(
  fs.readFileSync(
    path.resolve(__dirname, '../../../examples/entities.yaml'),
    'utf8',
  ),
).map(d => d.toJSON());

type SourceName = SourceType;
const ALL: SourceName[] = ['kubernetes', 'argocd-api', 'azure', 'prometheus'];

describe('all sources together', () => {
  let fleet: DemoFleet;
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    fleet = await startDemoFleet({ clock: 'manual' });
    prometheus = await startPrometheusForFleet(fleet);
    await prometheus.waitFor(
      'count(argocd_app_info)',
      s => s.length > 0,
      30_000,
    );
    await prometheus.waitFor(
      'count(gotk_resource_info)',
      s => s.length > 0,
      30_000,
    );
  });

  afterAll(async () => {
    await prometheus?.stop();
    await fleet?.stop();
  });

  /** A backend with the given sources on, one collection session run; returns a status reader. */
  async function backendWith(on: SourceName[]) {
    const scheduler: any = mockServices.scheduler();
    const caData = fleetCaData(fleet);
    const gitops: JsonObject = {
      collection: {
        frequency: { hours: 1 },
        sessionDuration: { milliseconds: 2000 },
        requestTimeout: { milliseconds: 2000 },
      },
      clusters: fleetClustersConfig(fleet, {
        collect: on.includes('kubernetes'),
      }),
    };
    if (on.includes('argocd-api')) {
      gitops.argocd = {
        instances: [
          {
            name: 'main',
            url: fleet.argocd.url,
            token: fleet.token,
            caData,
            cluster: fleet.argocd.cluster,
          },
        ],
      };
    }
    if (on.includes('azure')) {
      gitops.azure = {
        subscriptions: [fleet.azure.subscriptionId],
        endpoint: fleet.azure.endpoint,
        accessToken: fleet.token,
        caData,
      };
    }
    if (on.includes('prometheus')) gitops.prometheus = { url: prometheus.url };
    const backend = await startTestBackend({
      features: [
        gitopsPlugin,
        scheduler.factory({ skipTaskRunOnStartup: true }),
        catalogServiceMock.factory({ entities }),
        mockServices.rootConfig.factory({ data: { gitops } }),
      ],
    });
    await scheduler.triggerTask('gitops-collect');
    const status = async (name: string): Promise<EntityStatusResponse> =>
      (
        await request(backend.server)
          .get(`/api/gitops/entity/component/default/${name}/status`)
          .set('Authorization', mockCredentials.user.header())
      ).body;
    return { status, stop: () => backend.stop() };
  }

  const key = (r: {
    cluster: string;
    kind: string;
    namespace: string;
    name: string;
  }) => `${r.cluster}/${r.kind}/${r.namespace}/${r.name}`;

  it('shows each object once, with every source that reported it', async () => {
    const b = await backendWith(ALL);
    try {
      const guestbook = await b.status('guestbook');
      const apps = fleet.scenario.objects.filter(
        o =>
          o.kind === 'Application' &&
          o.labels['app.kubernetes.io/name'] === 'guestbook',
      );
      expect(guestbook.records.map(key).sort()).toEqual(
        apps
          .map(a => `${a.targetCluster}/Application/${a.namespace}/${a.name}`)
          .sort(),
      );
      for (const r of guestbook.records) {
        expect(r.sources).toEqual(['kubernetes', 'argocd-api', 'prometheus']);
      }

      const podinfo = await b.status('podinfo');
      expect(new Set(podinfo.records.map(key)).size).toBe(
        podinfo.records.length,
      );
      for (const r of podinfo.records)
        expect(r.sources).toEqual(['kubernetes', 'prometheus']);

      const infra = await b.status('fleet-infra');
      const configs = infra.records.filter(r => r.kind === 'FluxConfig');
      expect(configs.map(r => r.cluster).sort()).toEqual([
        'prod-eu',
        'prod-us',
      ]);
      for (const r of configs)
        expect(r.sources).toEqual(['kubernetes', 'azure']);
      expect(infra.sources.every(s => s.status === 'ok')).toBe(true);
    } finally {
      await b.stop();
    }
  });

  it.each(ALL)('keeps working with %s turned off', async off => {
    const on = ALL.filter(s => s !== off);
    const b = await backendWith(on);
    try {
      const guestbook = await b.status('guestbook');
      const infra = await b.status('fleet-infra');
      const all = [
        ...guestbook.records,
        ...infra.records,
        ...(await b.status('podinfo')).records,
      ];
      expect(all.some(r => r.sources.includes(off))).toBe(false);
      // Argo CD apps still come from the API or the metrics, FluxConfigs from the cluster or Azure.
      expect(guestbook.records.length).toBe(4);
      expect(infra.records.filter(r => r.kind === 'FluxConfig').length).toBe(2);
      expect(
        [...guestbook.sources, ...infra.sources].every(s => s.status === 'ok'),
      ).toBe(true);
    } finally {
      await b.stop();
    }
  });
});
