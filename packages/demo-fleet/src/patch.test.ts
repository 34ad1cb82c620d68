import https from 'node:https';
import {
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { startDemoFleet, type DemoFleet } from './index';

describe('writes: PATCH like flux reconcile / flux suspend, Argo CD sync', () => {
  let fleet: DemoFleet;
  let api: CustomObjectsApi;
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

  beforeAll(async () => {
    fleet = await startDemoFleet({ clock: 'manual' });
    const kc = new KubeConfig();
    const dev = fleet.clusters.find(c => c.name === 'dev')!;
    kc.loadFromOptions({
      clusters: [
        {
          name: 'dev',
          server: dev.server,
          caData: Buffer.from(fleet.caPem).toString('base64'),
        },
      ],
      users: [{ name: 'u', token: fleet.token }],
      contexts: [{ name: 'dev', cluster: 'dev', user: 'u' }],
      currentContext: 'dev',
    });
    api = kc.makeApiClient(CustomObjectsApi);
  });
  afterAll(() => fleet?.stop());

  const podinfo = {
    group: 'kustomize.toolkit.fluxcd.io',
    version: 'v1',
    namespace: 'podinfo',
    plural: 'kustomizations',
    name: 'podinfo',
  };

  it('handles a reconcile request: the annotation is set and lastHandledReconcileAt follows it', async () => {
    const before: any = await api.getNamespacedCustomObject(podinfo);
    const at = '2026-11-23T12:00:00.000Z';
    const after: any = await api.patchNamespacedCustomObject(
      {
        ...podinfo,
        body: {
          metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': at } },
        },
      },
      merge,
    );
    expect(after.metadata.annotations['reconcile.fluxcd.io/requestedAt']).toBe(
      at,
    );
    // Flux's documented contract: the controller records the handled request in the status.
    expect(after.status.lastHandledReconcileAt).toBe(at);
    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(
      Number(before.metadata.resourceVersion),
    );
    // The scenario moving on keeps what the client set.
    fleet.advance(90_000);
    const later: any = await api.getNamespacedCustomObject(podinfo);
    expect(later.metadata.annotations['reconcile.fluxcd.io/requestedAt']).toBe(
      at,
    );
    expect(fleet.requestCount({ cluster: 'dev', method: 'PATCH' })).toBe(1);
  });

  it('suspends and resumes through spec.suspend', async () => {
    const suspended: any = await api.patchNamespacedCustomObject(
      { ...podinfo, body: { spec: { suspend: true } } },
      merge,
    );
    expect(suspended.spec.suspend).toBe(true);
    const resumed: any = await api.patchNamespacedCustomObject(
      { ...podinfo, body: { spec: { suspend: false } } },
      merge,
    );
    expect(resumed.spec.suspend).toBe(false);
  });

  it('refuses other changes, unknown objects and other patch types', async () => {
    await expect(
      api.patchNamespacedCustomObject(
        { ...podinfo, body: { spec: { path: './evil' } } },
        merge,
      ),
    ).rejects.toMatchObject({ code: 422 });
    await expect(
      api.patchNamespacedCustomObject(
        { ...podinfo, name: 'nope', body: { spec: { suspend: true } } },
        merge,
      ),
    ).rejects.toMatchObject({ code: 404 });
    // client-node's default for patch is a JSON patch.
    await expect(
      api.patchNamespacedCustomObject({
        ...podinfo,
        body: [{ op: 'replace', path: '/spec/suspend', value: true }],
      }),
    ).rejects.toMatchObject({ code: 415 });
  });

  it('answers an Argo CD sync with the Application, and counts it', async () => {
    const app = fleet.scenario.objects.find(o => o.kind === 'Application')!;
    const post = (name: string) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const req = https.request(
          `${fleet.argocd.url}/api/v1/applications/${name}/sync`,
          {
            method: 'POST',
            ca: fleet.caPem,
            headers: {
              authorization: `Bearer ${fleet.token}`,
              'content-type': 'application/json',
            },
          },
          res => {
            let body = '';
            res.on('data', c => (body += c));
            res.on('end', () =>
              resolve({ status: res.statusCode!, body: JSON.parse(body) }),
            );
          },
        );
        req.on('error', reject);
        req.end('{"prune":false}');
      });
    const ok = await post(app.name);
    expect(ok.status).toBe(200);
    expect(ok.body.metadata.name).toBe(app.name);
    expect((await post('nope')).status).toBe(404);
    expect(fleet.requestCount({ endpoint: 'argocd', method: 'POST' })).toBe(2);
  });
});
