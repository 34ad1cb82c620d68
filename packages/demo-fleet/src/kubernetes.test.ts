import {
  ApiException,
  KubernetesObject,
  ListWatch,
  Watch,
} from '@kubernetes/client-node';
import {
  APPLICATIONS,
  HELMRELEASES,
  KUSTOMIZATIONS,
  customObjects,
  eventually,
  fleetRequest,
  kubeConfigFor,
  readyCondition,
} from './__testUtils__/clients';
import { DemoFleet, fluxRevision, startDemoFleet } from './index';

const PERIOD = 90_000;

async function apiError(p: Promise<unknown>): Promise<ApiException<any>> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiException) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

describe('Kubernetes API (via @kubernetes/client-node)', () => {
  let fleet: DemoFleet;

  beforeAll(async () => {
    fleet = await startDemoFleet({
      clock: 'manual',
      rolloutPeriodMs: PERIOD,
      resourceVersionWindow: 20,
    });
  });
  afterAll(() => fleet.stop());

  it('lists Kustomizations across namespaces with listClusterCustomObject', async () => {
    const list: any = await customObjects(fleet, 'dev').listClusterCustomObject(
      KUSTOMIZATIONS,
    );
    expect(list.kind).toBe('KustomizationList');
    expect(list.apiVersion).toBe('kustomize.toolkit.fluxcd.io/v1');
    expect(Number(list.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(
      list.items.map((o: any) => `${o.metadata.namespace}/${o.metadata.name}`),
    ).toEqual([
      'flux-system/apps',
      'flux-system/infrastructure',
      'legacy-batch/legacy-batch',
      'payments/payments-api',
      'payments/payments-db',
      'podinfo/podinfo',
    ]);
    const podinfo = list.items.find((o: any) => o.metadata.name === 'podinfo');
    expect(podinfo).toMatchObject({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: {
        labels: { 'backstage.io/kubernetes-id': 'podinfo' },
        generation: 1,
      },
      spec: {
        sourceRef: {
          kind: 'GitRepository',
          name: 'flux-system',
          namespace: 'flux-system',
        },
        path: './apps/podinfo',
      },
      status: { lastAppliedRevision: fluxRevision(0), observedGeneration: 1 },
    });
    expect(readyCondition(podinfo)).toMatchObject({
      status: 'True',
      reason: 'ReconciliationSucceeded',
    });
    expect(podinfo.metadata.uid).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('filters with label and field selectors', async () => {
    const api = customObjects(fleet, 'staging');
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (
        (await api.listClusterCustomObject({
          ...KUSTOMIZATIONS,
          labelSelector,
          fieldSelector,
        })) as any
      ).items.map((o: any) => o.metadata.name);
    expect(await names('backstage.io/kubernetes-id=podinfo')).toEqual([
      'podinfo',
    ]);
    expect(await names('app.kubernetes.io/part-of in (payments,shop)')).toEqual(
      ['payments-api', 'payments-db'],
    );
    expect(
      await names(
        'app.kubernetes.io/part-of=payments,app.kubernetes.io/component!=api',
      ),
    ).toEqual(['payments-db']);
    expect(await names('!backstage.io/kubernetes-id')).toEqual([
      'apps',
      'infrastructure',
      'payments-api',
      'payments-db',
    ]);
    expect(
      await names(
        'backstage.io/kubernetes-id,backstage.io/kubernetes-id notin (podinfo)',
      ),
    ).toEqual(['legacy-batch']);
    expect(
      await names(
        undefined,
        'metadata.namespace=payments,metadata.name!=payments-db',
      ),
    ).toEqual(['payments-api']);
    const bad = await apiError(
      api.listClusterCustomObject({
        ...KUSTOMIZATIONS,
        labelSelector: 'a in (b',
      }),
    );
    expect(bad.code).toBe(400);
    const badField = await apiError(
      api.listClusterCustomObject({
        ...KUSTOMIZATIONS,
        fieldSelector: 'spec.path=x',
      }),
    );
    expect(badField.code).toBe(400);
  });

  it('pages with limit and continue', async () => {
    const api = customObjects(fleet, 'prod-eu');
    const full: any = await api.listClusterCustomObject(KUSTOMIZATIONS);
    const pages: any[] = [];
    let token: string | undefined;
    do {
      const page: any = await api.listClusterCustomObject({
        ...KUSTOMIZATIONS,
        limit: 4,
        _continue: token,
      });
      pages.push(page);
      token = page.metadata.continue;
    } while (token);
    expect(pages.map(p => p.items.length)).toEqual([4, 2]);
    expect(pages[0].metadata.remainingItemCount).toBe(2);
    expect(
      pages.flatMap(p => p.items.map((o: any) => o.metadata.name)),
    ).toEqual(full.items.map((o: any) => o.metadata.name));
  });

  it('gets single objects, namespaced lists and older API versions', async () => {
    const api = customObjects(fleet, 'dev');
    const hr: any = await api.getNamespacedCustomObject({
      ...HELMRELEASES,
      namespace: 'podinfo',
      name: 'podinfo',
    });
    expect(hr.status.history[0]).toMatchObject({
      chartName: 'podinfo',
      chartVersion: '6.7.1',
      status: 'deployed',
      version: 3,
    });
    const ns: any = await api.listNamespacedCustomObject({
      ...KUSTOMIZATIONS,
      namespace: 'payments',
    });
    expect(ns.items.map((o: any) => o.metadata.name)).toEqual([
      'payments-api',
      'payments-db',
    ]);

    const old: any = await api.listClusterCustomObject({
      ...KUSTOMIZATIONS,
      version: 'v1beta2',
    });
    expect(old.apiVersion).toBe('kustomize.toolkit.fluxcd.io/v1beta2');
    expect(
      old.items.every(
        (o: any) => o.apiVersion === 'kustomize.toolkit.fluxcd.io/v1beta2',
      ),
    ).toBe(true);
    const oldHr: any = await api.listClusterCustomObject({
      ...HELMRELEASES,
      version: 'v2beta2',
    });
    expect(oldHr.items.map((o: any) => o.metadata.name)).toEqual([
      'ingress-nginx',
      'podinfo',
    ]);

    const missing = await apiError(
      api.getNamespacedCustomObject({
        ...KUSTOMIZATIONS,
        namespace: 'podinfo',
        name: 'nope',
      }),
    );
    expect(missing.code).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'kustomizations.kustomize.toolkit.fluxcd.io "nope" not found',
    });
  });

  it('answers 404 for CRDs a cluster does not have', async () => {
    const argoOnStaging = await apiError(
      customObjects(fleet, 'staging').listClusterCustomObject(APPLICATIONS),
    );
    expect(argoOnStaging.code).toBe(404);
    expect(JSON.parse(argoOnStaging.body)).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
    });
    const apps: any = await customObjects(fleet, 'dev').listClusterCustomObject(
      APPLICATIONS,
    );
    expect(apps.items).toHaveLength(8);

    const fluxConfigs = {
      group: 'clusterconfig.azure.com',
      version: 'v1',
      plural: 'fluxconfigs',
    };
    expect(
      (
        await apiError(
          customObjects(fleet, 'dev').listClusterCustomObject(fluxConfigs),
        )
      ).code,
    ).toBe(404);
    const onAks: any = await customObjects(
      fleet,
      'prod-eu',
    ).listClusterCustomObject(fluxConfigs);
    expect(onAks.items.map((o: any) => o.metadata.name)).toEqual([
      'cluster-config',
    ]);

    const discovery = await fleetRequest(fleet, '/clusters/staging/apis');
    expect(discovery.json().groups.map((g: any) => g.name)).not.toContain(
      'argoproj.io',
    );
    expect(discovery.json().groups.map((g: any) => g.name)).toContain(
      'kustomize.toolkit.fluxcd.io',
    );
  });

  it('answers 401 with a Status to a wrong token', async () => {
    const err = await apiError(
      customObjects(fleet, 'dev', 'wrong-token').listClusterCustomObject(
        KUSTOMIZATIONS,
      ),
    );
    expect(err.code).toBe(401);
    const raw = await fleetRequest(
      fleet,
      '/clusters/dev/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations',
      { token: null },
    );
    expect(raw.status).toBe(401);
    expect(raw.json()).toMatchObject({
      kind: 'Status',
      reason: 'Unauthorized',
      code: 401,
    });
  });

  it('streams MODIFIED events to a Watch when the scenario moves', async () => {
    const list: any = await customObjects(fleet, 'dev').listClusterCustomObject(
      KUSTOMIZATIONS,
    );
    const events: Array<{ type: string; obj: any }> = [];
    const watch = new Watch(kubeConfigFor(fleet, 'dev'));
    const req = await watch.watch(
      '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations',
      {
        resourceVersion: list.metadata.resourceVersion,
        labelSelector: 'backstage.io/kubernetes-id=podinfo',
      },
      (type, obj) => events.push({ type, obj }),
      () => {},
    );
    try {
      // Commit 1 lands at P/2 and dev (the first cluster) has applied it well before P.
      fleet.advance(PERIOD);
      await eventually(
        () =>
          events.some(
            e => e.obj.status?.lastAppliedRevision === fluxRevision(1),
          ),
        5000,
        'MODIFIED podinfo',
      );
      expect(
        events.every(
          e => e.type === 'MODIFIED' && e.obj.metadata.name === 'podinfo',
        ),
      ).toBe(true);
      const rvs = events.map(e => Number(e.obj.metadata.resourceVersion));
      expect(rvs[0]).toBeGreaterThan(Number(list.metadata.resourceVersion));
      expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    } finally {
      req.abort();
    }
  });

  it('sends ADDED events for the current state when watching without a resourceVersion', async () => {
    const events: string[] = [];
    const watch = new Watch(kubeConfigFor(fleet, 'prod-us'));
    const req = await watch.watch(
      '/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/helmrepositories',
      {},
      (type, obj: any) => events.push(`${type} ${obj.metadata.name}`),
      () => {},
    );
    try {
      await eventually(() => events.length === 2);
      expect(events).toEqual(['ADDED ingress-nginx', 'ADDED podinfo']);
    } finally {
      req.abort();
    }
  });

  it('answers 410 Gone to a watch from an expired resourceVersion', async () => {
    const done = new Promise<any>(resolve => {
      void new Watch(kubeConfigFor(fleet, 'dev')).watch(
        '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations',
        { resourceVersion: '1' },
        () => {},
        resolve,
      );
    });
    const err = await done;
    expect(err.statusCode).toBe(410);
    const raw = await fleetRequest(
      fleet,
      '/clusters/dev/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations?watch=true&resourceVersion=1',
    );
    expect(raw.status).toBe(410);
    expect(raw.json()).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'Expired',
      code: 410,
    });
    expect(raw.json().message).toMatch(/^too old resource version: 1 \(\d+\)$/);
  });

  it('lets a ListWatch relist after its resourceVersion expired, and after a mid-stream ERROR 410', async () => {
    const api = customObjects(fleet, 'staging');
    const path = '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations';
    const listFn = () => api.listClusterCustomObject(KUSTOMIZATIONS) as any;
    const informer = new ListWatch<KubernetesObject>(
      path,
      new Watch(kubeConfigFor(fleet, 'staging')),
      listFn,
      false,
    );
    const errors: unknown[] = [];
    informer.on('error', e => errors.push(e));
    const podinfoRevision = () =>
      (informer.get('podinfo', 'podinfo') as any)?.status?.lastAppliedRevision;
    const lists = () =>
      fleet.requestCount({ cluster: 'staging', watch: false });
    try {
      await informer.start();
      expect(podinfoRevision()).toBe(fluxRevision(1));

      // Stop, let the retained window (20 events) roll past its resourceVersion, restart.
      await informer.stop();
      for (let i = 0; i < 4; i++) fleet.advance(PERIOD);
      const before = lists();
      await informer.start();
      await eventually(
        () => podinfoRevision() === fluxRevision(5),
        5000,
        'relist after HTTP 410',
      );
      expect(lists()).toBe(before + 1);

      // An ERROR 410 event on the open watch also makes it relist.
      const beforeExpire = lists();
      fleet.setFault('staging', 'expire');
      await eventually(
        () => lists() === beforeExpire + 1,
        5000,
        'relist after ERROR event',
      );
      fleet.advance(PERIOD);
      await eventually(
        () => podinfoRevision() === fluxRevision(6),
        5000,
        'watch resumed',
      );
      expect(errors.filter(e => (e as Error)?.name !== 'AbortError')).toEqual(
        [],
      );
    } finally {
      await informer.stop();
    }
  });
});

describe('real clock', () => {
  it('moves the scenario on its own, and watchers see it', async () => {
    // Commit 1 lands after 1 s and dev has applied it by 1.25 s.
    const fleet = await startDemoFleet({ rolloutPeriodMs: 2000, tickMs: 50 });
    const seen: Array<{ type: string; revision: string }> = [];
    const req = await new Watch(kubeConfigFor(fleet, 'dev')).watch(
      '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/podinfo/kustomizations',
      {},
      (type, obj: any) =>
        seen.push({ type, revision: obj.status.lastAppliedRevision }),
      () => {},
    );
    try {
      await eventually(
        () => seen.some(e => e.revision === fluxRevision(1)),
        5000,
        'commit 1 on dev',
      );
      expect(seen[0]).toEqual({ type: 'ADDED', revision: fluxRevision(0) });
      expect(seen.at(-1)).toEqual({
        type: 'MODIFIED',
        revision: fluxRevision(1),
      });
      expect(fleet.scenario.rollout.commit).toBeGreaterThanOrEqual(1);
      expect(fleet.now() - Date.now()).toBeLessThan(2000);
    } finally {
      req.abort();
      await fleet.stop();
    }
  });
});
