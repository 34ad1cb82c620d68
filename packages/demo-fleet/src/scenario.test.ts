import {
  APPLICATIONS,
  HELMRELEASES,
  KUSTOMIZATIONS,
  customObjects,
  readyCondition,
} from './__testUtils__/clients';
import {
  DemoFleet,
  ScenarioObject,
  appsSha,
  fleetSha,
  fluxRevision,
  startDemoFleet,
} from './index';
import { Timeline } from './scenario/timeline';

const P = 90_000;
const tl = new Timeline(P, 4);

const find = (
  fleet: DemoFleet,
  cluster: string,
  kind: string,
  name: string,
): ScenarioObject => {
  const o = fleet.scenario.objects.find(
    x => x.cluster === cluster && x.kind === kind && x.name === name,
  );
  if (!o) throw new Error(`no ${kind} ${name} on ${cluster}`);
  return o;
};

/** Moves the manual clock to an absolute elapsed time. */
const at = (fleet: DemoFleet, elapsedMs: number) => {
  const elapsed = fleet.scenario.elapsedMs;
  if (elapsedMs < elapsed) throw new Error('the clock only moves forward');
  fleet.advance(elapsedMs - elapsed);
};

describe('scenario timeline', () => {
  let fleet: DemoFleet;
  beforeAll(async () => {
    fleet = await startDemoFleet({ clock: 'manual', rolloutPeriodMs: P });
  });
  const afterAllStop: DemoFleet[] = [];
  afterAll(async () => {
    await Promise.all([fleet, ...afterAllStop].map(f => f.stop()));
  });

  it('starts settled on commit 0, with payments broken on staging and legacy-batch suspended', () => {
    const s = fleet.scenario;
    expect(s.elapsedMs).toBe(0);
    expect(s.now).toBe('2025-01-01T00:00:00Z');
    expect(s.rollout).toMatchObject({
      commit: 0,
      sha: fleetSha(0),
      appliedOn: ['dev', 'staging', 'prod-eu', 'prod-us'],
    });
    expect(
      find(fleet, 'staging', 'Kustomization', 'payments-db'),
    ).toMatchObject({
      ready: 'False',
      reason: 'HealthCheckFailed',
      appliedCommit: -1,
    });
    expect(
      find(fleet, 'staging', 'Kustomization', 'payments-api'),
    ).toMatchObject({ ready: 'False', reason: 'DependencyNotReady' });
    expect(find(fleet, 'dev', 'Kustomization', 'payments-api')).toMatchObject({
      ready: 'True',
    });
    expect(
      find(fleet, 'prod-us', 'Kustomization', 'legacy-batch'),
    ).toMatchObject({ suspended: true, ready: 'True' });
    const notReady = s.objects
      .filter(o => o.ready && o.ready !== 'True')
      .map(o => `${o.cluster}/${o.name}`);
    expect(notReady.sort()).toEqual([
      'staging/payments-api',
      'staging/payments-db',
    ]);
    expect(
      s.objects
        .filter(o => o.kind === 'Application')
        .every(o => o.sync === 'Synced' && o.health === 'Healthy'),
    ).toBe(true);
  });

  it('shows a cluster mid-rollout as Reconciling with the new attempted revision', async () => {
    // dev works on commit 1 from P/2; stage 1 (podinfo) starts at 0.6 R.
    at(fleet, tl.clusterStart(1, 0) + tl.stage1.from + 1);
    const ks: any = await customObjects(fleet, 'dev').getNamespacedCustomObject(
      { ...KUSTOMIZATIONS, namespace: 'podinfo', name: 'podinfo' },
    );
    expect(
      ks.status.conditions.map((c: any) => `${c.type}=${c.status}/${c.reason}`),
    ).toEqual(['Reconciling=True/Progressing', 'Ready=Unknown/Progressing']);
    expect(readyCondition(ks).message).toBe('Reconciliation in progress');
    expect(ks.status.lastAttemptedRevision).toBe(fluxRevision(1));
    expect(ks.status.lastAppliedRevision).toBe(fluxRevision(0));
    expect(find(fleet, 'dev', 'Kustomization', 'podinfo')).toMatchObject({
      ready: 'Unknown',
      reconciling: true,
    });
    expect(fleet.scenario.rollout.clusters.dev.state).toBe('reconciling');
  });

  it('after one rollout period the new commit is applied on dev but not yet on prod-us', async () => {
    at(fleet, P);
    const s = fleet.scenario;
    expect(s.rollout).toMatchObject({
      commit: 1,
      sha: fleetSha(1),
      revision: `main@sha1:${fleetSha(1)}`,
      pushedAt: '2025-01-01T00:00:45Z',
    });
    expect(s.rollout.appliedOn).toEqual(['dev', 'staging']);
    expect(s.rollout.clusters['prod-us']).toMatchObject({
      state: 'pending',
      appliedCommit: 0,
    });

    const devPodinfo: any = await customObjects(
      fleet,
      'dev',
    ).getNamespacedCustomObject({
      ...KUSTOMIZATIONS,
      namespace: 'podinfo',
      name: 'podinfo',
    });
    expect(devPodinfo.status.lastAppliedRevision).toBe(fluxRevision(1));
    expect(readyCondition(devPodinfo)).toMatchObject({
      status: 'True',
      message: `Applied revision: ${fluxRevision(1)}`,
    });
    const usPodinfo: any = await customObjects(
      fleet,
      'prod-us',
    ).getNamespacedCustomObject({
      ...KUSTOMIZATIONS,
      namespace: 'podinfo',
      name: 'podinfo',
    });
    expect(usPodinfo.status.lastAppliedRevision).toBe(fluxRevision(0));

    const hr: any = await customObjects(fleet, 'dev').getNamespacedCustomObject(
      { ...HELMRELEASES, namespace: 'podinfo', name: 'podinfo' },
    );
    expect(
      hr.status.history.map((h: any) => `${h.version}:${h.status}`),
    ).toEqual(['4:deployed', '3:superseded', '2:superseded', '1:superseded']);

    const guestbook: any = await customObjects(
      fleet,
      'dev',
    ).getNamespacedCustomObject({
      ...APPLICATIONS,
      namespace: 'argocd',
      name: 'guestbook-dev',
    });
    expect(guestbook.status.sync).toMatchObject({
      status: 'Synced',
      revision: appsSha(1),
    });
    expect(guestbook.status.history.at(-1).revision).toBe(appsSha(1));
    expect(
      find(fleet, 'dev', 'Application', 'guestbook-prod-us'),
    ).toMatchObject({ revision: appsSha(0), targetCluster: 'prod-us' });
    // Payments recovered on staging with commit 1.
    expect(
      find(fleet, 'staging', 'Kustomization', 'payments-api'),
    ).toMatchObject({ ready: 'True', appliedCommit: 1 });
  });

  it('fails the ingress-nginx upgrade on staging for one window, stalls, then recovers', async () => {
    // A fleet of its own: the shared one is already past this window.
    const own = await startDemoFleet({ clock: 'manual', rolloutPeriodMs: P });
    afterAllStop.push(own);
    const failedAt = tl.clusterStart(1, 1) + tl.stage1.to;
    at(own, failedAt + 1000);
    const api = customObjects(own, 'staging');
    const get = async () =>
      (await api.getNamespacedCustomObject({
        ...HELMRELEASES,
        namespace: 'ingress-nginx',
        name: 'ingress-nginx',
      })) as any;
    let hr = await get();
    const types = (o: any) =>
      o.status.conditions.map((c: any) => `${c.type}=${c.status}/${c.reason}`);
    expect(types(hr)).toEqual([
      'Reconciling=True/ProgressingWithRetry',
      'Ready=False/UpgradeFailed',
      'Released=False/UpgradeFailed',
    ]);
    expect(
      hr.status.history.slice(0, 2).map((h: any) => `${h.version}:${h.status}`),
    ).toEqual(['4:failed', '3:deployed']);
    expect(find(own, 'staging', 'HelmRelease', 'ingress-nginx')).toMatchObject({
      ready: 'False',
      reason: 'UpgradeFailed',
      stalled: false,
    });
    expect(find(own, 'dev', 'HelmRelease', 'ingress-nginx')).toMatchObject({
      ready: 'True',
    });

    at(own, failedAt + tl.stallAfter + 1000);
    hr = await get();
    expect(types(hr)).toEqual([
      'Stalled=True/RetriesExceeded',
      'Ready=False/UpgradeFailed',
      'Released=False/UpgradeFailed',
    ]);
    expect(find(own, 'staging', 'HelmRelease', 'ingress-nginx')).toMatchObject({
      stalled: true,
    });

    at(own, tl.clusterStart(2, 1) + tl.stage1.to);
    hr = await get();
    expect(types(hr)).toEqual([
      'Ready=True/UpgradeSucceeded',
      'Released=True/UpgradeSucceeded',
    ]);
    expect(
      hr.status.history.slice(0, 3).map((h: any) => `${h.version}:${h.status}`),
    ).toEqual(['5:deployed', '4:failed', '3:superseded']);
  });

  it('drifts checkout-prod-eu OutOfSync, then self-heals with a Running then Succeeded sync', () => {
    const s = tl.clusterStart(2, 2);
    at(fleet, s + tl.driftAt + 1000);
    expect(find(fleet, 'dev', 'Application', 'checkout-prod-eu')).toMatchObject(
      { sync: 'OutOfSync', health: 'Healthy', operationPhase: 'Succeeded' },
    );
    expect(find(fleet, 'dev', 'Application', 'checkout-prod-us')).toMatchObject(
      { sync: 'Synced' },
    );
    at(fleet, s + tl.healAt + 1000);
    expect(find(fleet, 'dev', 'Application', 'checkout-prod-eu')).toMatchObject(
      { sync: 'OutOfSync', operationPhase: 'Running' },
    );
    at(fleet, s + tl.healAt + tl.reconcile + 1000);
    expect(find(fleet, 'dev', 'Application', 'checkout-prod-eu')).toMatchObject(
      { sync: 'Synced', operationPhase: 'Succeeded', revision: appsSha(2) },
    );
  });

  it('keeps legacy-batch suspended and untouched while everything else rolls on', async () => {
    const api = customObjects(fleet, 'prod-eu');
    const before: any = await api.getNamespacedCustomObject({
      ...KUSTOMIZATIONS,
      namespace: 'legacy-batch',
      name: 'legacy-batch',
    });
    fleet.advance(5 * P);
    const after: any = await api.getNamespacedCustomObject({
      ...KUSTOMIZATIONS,
      namespace: 'legacy-batch',
      name: 'legacy-batch',
    });
    expect(after.spec.suspend).toBe(true);
    expect(after.metadata.resourceVersion).toBe(
      before.metadata.resourceVersion,
    );
    expect(after.status.lastAppliedRevision).toBe(fluxRevision(-40));
    const apps: any = await api.getNamespacedCustomObject({
      ...KUSTOMIZATIONS,
      namespace: 'flux-system',
      name: 'apps',
    });
    expect(apps.status.lastAppliedRevision).not.toBe(fluxRevision(-40));
    expect(
      find(fleet, 'prod-eu', 'Kustomization', 'legacy-batch'),
    ).toMatchObject({ suspended: true, appliedRevision: fluxRevision(-40) });
  });

  it('is a pure function of the clock: two fleets at the same time serve the same objects', async () => {
    const other = await startDemoFleet({ clock: 'manual', rolloutPeriodMs: P });
    try {
      other.advance(fleet.scenario.elapsedMs);
      const strip = (list: any) =>
        list.items.map(
          ({ metadata: { resourceVersion: _rv, ...meta }, ...rest }: any) => ({
            ...rest,
            metadata: meta,
          }),
        );
      for (const cluster of ['dev', 'staging', 'prod-us']) {
        const a = await customObjects(fleet, cluster).listClusterCustomObject(
          HELMRELEASES,
        );
        const b = await customObjects(other, cluster).listClusterCustomObject(
          HELMRELEASES,
        );
        expect(strip(b)).toEqual(strip(a));
      }
      expect(other.scenario.objects).toEqual(fleet.scenario.objects);
    } finally {
      await other.stop();
    }
  });

  it('generates cluster-05… with the same object set when asked for more clusters', async () => {
    const big = await startDemoFleet({
      clock: 'manual',
      clusters: 6,
      objectsPerCluster: 9,
    });
    try {
      expect(big.clusters.map(c => c.name)).toEqual([
        'dev',
        'staging',
        'prod-eu',
        'prod-us',
        'cluster-05',
        'cluster-06',
      ]);
      expect(big.clusters[4]).toMatchObject({
        environment: 'dev',
        provider: 'kubernetes',
        server: `${big.url}/clusters/cluster-05`,
      });
      const objs = big.scenario.objects;
      const names = (cluster: string) =>
        objs
          .filter(
            o => o.cluster === cluster && !o.labels['fleet.example.com/filler'],
          )
          .map(o => `${o.kind}/${o.name}`);
      expect(names('cluster-05')).toEqual(
        names('dev').filter(n => !n.startsWith('Application/')),
      );
      // 9 fillers per cluster: 3 Kustomizations + 3 HelmReleases there, 3 Applications on dev.
      expect(
        objs.filter(
          o =>
            o.cluster === 'cluster-06' && o.labels['fleet.example.com/filler'],
        ),
      ).toHaveLength(6);
      expect(
        objs.filter(
          o => o.kind === 'Application' && o.labels['fleet.example.com/filler'],
        ),
      ).toHaveLength(18);
      expect(
        objs
          .filter(
            o => o.kind === 'Application' && o.targetCluster === 'cluster-06',
          )
          .map(o => o.name),
      ).toEqual(
        expect.arrayContaining(['guestbook-cluster-06', 'checkout-cluster-06']),
      );
      const filler = objs.find(
        o =>
          o.cluster === 'cluster-05' &&
          o.kind === 'Kustomization' &&
          o.labels['fleet.example.com/filler'],
      );
      expect(filler?.labels['backstage.io/kubernetes-id']).toMatch(/^svc-\d+$/);
    } finally {
      await big.stop();
    }
  });
});
