import parsePrometheusTextFormat, {
  ParsedMetricFamily,
} from 'parse-prometheus-text-format';
import { fleetRequest } from './__testUtils__/clients';
import { DemoFleet, FleetScenario, startDemoFleet } from './index';
import { Timeline } from './scenario/timeline';

const P = 90_000;
const FLUX_GROUPS = [
  'kustomize.toolkit.fluxcd.io',
  'helm.toolkit.fluxcd.io',
  'source.toolkit.fluxcd.io',
];

function series(families: ParsedMetricFamily[], name: string) {
  return (families.find(f => f.name === name)?.metrics ?? []).map(m => ({
    labels: m.labels ?? {},
    value: Number(m.value),
  }));
}

describe('/metrics', () => {
  let fleet: DemoFleet;
  const scrape = async (query = '') => {
    const res = await fleetRequest(fleet, `/metrics${query}`, { token: null });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(
      /^text\/plain; version=0\.0\.4/,
    );
    return parsePrometheusTextFormat(res.text);
  };
  const fluxObjects = (s: FleetScenario, generations: string[]) => {
    const clusters = fleet.clusters
      .filter(c => generations.includes(c.fluxMetrics))
      .map(c => c.name);
    return s.objects.filter(
      o => FLUX_GROUPS.includes(o.apiGroup) && clusters.includes(o.cluster),
    );
  };

  beforeAll(async () => {
    fleet = await startDemoFleet({ clock: 'manual', rolloutPeriodMs: P });
  });
  afterAll(() => fleet.stop());

  it('exposes each cluster in the Flux metrics generation it is configured for', async () => {
    const families = await scrape();
    expect(families.map(f => f.name).sort()).toEqual([
      'argocd_app_info',
      'gotk_reconcile_condition',
      'gotk_resource_info',
      'gotk_suspend_status',
    ]);
    const clustersOf = (name: string) =>
      [...new Set(series(families, name).map(s => s.labels.cluster))].sort();
    const byGeneration = (...g: string[]) =>
      fleet.clusters
        .filter(c => g.includes(c.fluxMetrics))
        .map(c => c.name)
        .sort();
    expect(clustersOf('gotk_resource_info')).toEqual(
      byGeneration('ksm', 'both'),
    );
    expect(clustersOf('gotk_reconcile_condition')).toEqual(
      byGeneration('legacy', 'both'),
    );
    expect(clustersOf('argocd_app_info')).toEqual(['dev']);
    // Every series says which cluster it comes from.
    expect(families.every(f => f.metrics.every(m => m.labels?.cluster))).toBe(
      true,
    );
  });

  // Checked at several points of the timeline: start (payments broken on staging),
  // mid-rollout, during the ingress-nginx failure and during the checkout drift.
  const tl = new Timeline(P, 4);
  it.each([
    ['start', 0],
    ['dev mid-rollout', tl.clusterStart(1, 0) + tl.stage1.from + 100],
    [
      'ingress-nginx failing on staging',
      tl.clusterStart(1, 1) + tl.stage1.to + 1000,
    ],
    ['checkout drifting on prod-eu', tl.clusterStart(2, 2) + tl.driftAt + 1000],
  ])('agrees with the scenario (%s)', async (_what, at) => {
    fleet.advance(at - fleet.scenario.elapsedMs);
    const s = fleet.scenario;
    const families = await scrape();

    // kube-state-metrics generation: one gotk_resource_info per object, ready = Ready status.
    const info = series(families, 'gotk_resource_info');
    const ksmObjects = fluxObjects(s, ['ksm', 'both']);
    expect(info).toHaveLength(ksmObjects.length);
    for (const status of ['True', 'False', 'Unknown']) {
      expect(info.filter(m => m.labels.ready === status)).toHaveLength(
        ksmObjects.filter(o => o.ready === status).length,
      );
    }
    for (const o of ksmObjects.filter(x => x.kind === 'Kustomization')) {
      const m = info.find(
        x =>
          x.labels.cluster === o.cluster &&
          x.labels.name === o.name &&
          x.labels.customresource_kind === 'Kustomization',
      );
      expect(m?.labels).toMatchObject({
        exported_namespace: o.namespace,
        ready: o.ready,
        revision: o.appliedRevision,
        customresource_group: 'kustomize.toolkit.fluxcd.io',
        customresource_version: 'v1',
      });
      // No `suspended` label when spec.suspend is unset, like KSM.
      const suspendSet: Record<string, string> = {
        'legacy-batch': 'true',
        podinfo: 'false',
        'payments-db': 'false',
        'payments-api': 'false',
      };
      expect(m?.labels.suspended).toBe(suspendSet[o.name]);
    }

    // Legacy generation: 1 for the current Ready status, 0 for the others.
    const legacyObjects = fluxObjects(s, ['legacy', 'both']);
    const conditions = series(families, 'gotk_reconcile_condition');
    expect(conditions).toHaveLength(legacyObjects.length * 4);
    const current = conditions.filter(m => m.value === 1);
    expect(current).toHaveLength(legacyObjects.length);
    for (const o of legacyObjects) {
      const m = current.find(
        x =>
          x.labels.cluster === o.cluster &&
          x.labels.kind === o.kind &&
          x.labels.name === o.name &&
          x.labels.namespace === o.namespace,
      );
      expect(m?.labels.status).toBe(o.ready);
    }
    const suspended = series(families, 'gotk_suspend_status').filter(
      m => m.value === 1,
    );
    expect(
      suspended.map(m => `${m.labels.cluster}/${m.labels.name}`).sort(),
    ).toEqual(
      legacyObjects
        .filter(o => o.suspended)
        .map(o => `${o.cluster}/${o.name}`)
        .sort(),
    );

    // Argo CD.
    const appInfo = series(families, 'argocd_app_info');
    const apps = s.objects.filter(o => o.kind === 'Application');
    expect(appInfo).toHaveLength(apps.length);
    for (const a of apps) {
      const m = appInfo.find(x => x.labels.name === a.name)!;
      expect(m.labels).toMatchObject({
        sync_status: a.sync,
        health_status: a.health,
        operation: a.operationPhase === 'Running' ? 'sync' : '',
      });
      expect(m.labels.dest_server).toBe(
        fleet.clusters.find(c => c.name === a.targetCluster)!.argocdServerAlias,
      );
    }
  });

  it('filters by cluster, and refuses a wrong token', async () => {
    const families = await scrape('?cluster=staging');
    expect(
      series(families, 'gotk_resource_info').every(
        m => m.labels.cluster === 'staging',
      ),
    ).toBe(true);
    expect(series(families, 'argocd_app_info')).toEqual([]);
    expect(
      (await fleetRequest(fleet, '/metrics', { token: 'wrong' })).status,
    ).toBe(401);
    expect((await fleetRequest(fleet, '/metrics')).status).toBe(200);
  });
});
