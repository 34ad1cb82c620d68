import {
  APPLICATIONS,
  customObjects,
  fleetRequest,
} from './__testUtils__/clients';
import { DemoFleet, startDemoFleet } from './index';

describe('Argo CD API', () => {
  let fleet: DemoFleet;
  const apps = (query = '', token?: string | null) =>
    fleetRequest(fleet, `/argocd/main/api/v1/applications${query}`, { token });

  beforeAll(async () => {
    fleet = await startDemoFleet({ clock: 'manual' });
  });
  afterAll(() => fleet.stop());

  it('lists every Application like GET /api/v1/applications', async () => {
    const res = await apps();
    expect(res.status).toBe(200);
    const body = res.json();
    expect(Object.keys(body)).toEqual(['metadata', 'items']);
    expect(body.items.map((a: any) => a.metadata.name)).toEqual([
      'checkout-dev',
      'checkout-prod-eu',
      'checkout-prod-us',
      'checkout-staging',
      'guestbook-dev',
      'guestbook-prod-eu',
      'guestbook-prod-us',
      'guestbook-staging',
    ]);
    // Argo CD serves Applications without apiVersion/kind.
    expect(body.items[0].apiVersion).toBeUndefined();
    expect(body.items[0].kind).toBeUndefined();
    const guestbookDev = body.items.find(
      (a: any) => a.metadata.name === 'guestbook-dev',
    );
    expect(guestbookDev).toMatchObject({
      metadata: {
        namespace: 'argocd',
        labels: {
          'app.kubernetes.io/name': 'guestbook',
          'backstage.io/kubernetes-id': 'guestbook',
        },
      },
      spec: {
        project: 'default',
        source: {
          repoURL: 'https://github.com/example-org/apps',
          path: 'guestbook',
        },
        destination: {
          server: 'https://kubernetes.default.svc',
          namespace: 'guestbook',
        },
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      },
      status: {
        sync: { status: 'Synced' },
        health: { status: 'Healthy' },
        operationState: { phase: 'Succeeded' },
      },
    });
    const prodEu = body.items.find(
      (a: any) => a.metadata.name === 'guestbook-prod-eu',
    );
    expect(prodEu.spec.destination.server).toBe(
      'https://prod-eu.k8s.example.com',
    );
    const checkout = body.items.find(
      (a: any) => a.metadata.name === 'checkout-prod-eu',
    );
    expect(checkout.spec.destination).toEqual({
      name: 'prod-eu',
      namespace: 'checkout',
    });
    expect(checkout.spec.sources).toHaveLength(2);
    expect(checkout.status.sync.revisions).toHaveLength(2);
  });

  it('agrees with the argoproj.io API of the cluster Argo CD runs on', async () => {
    const viaK8s: any = await customObjects(
      fleet,
      'dev',
    ).listClusterCustomObject(APPLICATIONS);
    const viaArgo = (await apps()).json();
    expect(viaArgo.metadata.resourceVersion).toBe(
      viaK8s.metadata.resourceVersion,
    );
    const { apiVersion: _a, kind: _k, ...first } = viaK8s.items[0];
    expect(viaArgo.items[0]).toEqual(first);
  });

  it('filters by selector, projects and appNamespace', async () => {
    const names = async (q: string) =>
      ((await apps(q)).json().items ?? []).map((a: any) => a.metadata.name);
    expect(
      await names('?selector=backstage.io/kubernetes-id%3Dguestbook'),
    ).toEqual([
      'guestbook-dev',
      'guestbook-prod-eu',
      'guestbook-prod-us',
      'guestbook-staging',
    ]);
    expect(await names('?projects=shop')).toHaveLength(4);
    expect(await names('?projects=shop&projects=default')).toHaveLength(8);
    expect(
      await names(
        '?projects=shop&selector=backstage.io/kubernetes-id%3Dguestbook',
      ),
    ).toEqual([]);
    expect(await names('?appNamespace=argocd&name=checkout-dev')).toEqual([
      'checkout-dev',
    ]);
    expect(await names('?repo=https://charts.example.com')).toHaveLength(4);
  });

  it('returns items: null when nothing matches', async () => {
    for (const q of [
      '?selector=backstage.io/kubernetes-id%3Dnope',
      '?appNamespace=other',
      '?projects=nope',
    ]) {
      const body = (await apps(q)).json();
      expect(body).toEqual({
        metadata: { resourceVersion: expect.any(String) },
        items: null,
      });
    }
  });

  it('projects the response with fields', async () => {
    const body = (
      await apps(
        '?fields=metadata.resourceVersion,items.metadata.name,items.status.sync.status&selector=app.kubernetes.io/name%3Dcheckout',
      )
    ).json();
    expect(body).toEqual({
      metadata: { resourceVersion: expect.stringMatching(/^\d+$/) },
      items: [
        'checkout-dev',
        'checkout-prod-eu',
        'checkout-prod-us',
        'checkout-staging',
      ].map(name => ({
        metadata: { name },
        status: { sync: { status: 'Synced' } },
      })),
    });
    const noRv = (
      await apps('?fields=items.metadata.name&projects=nope')
    ).json();
    expect(noRv).toEqual({ items: null });
  });

  it('serves single Applications and the version endpoint', async () => {
    const one = await fleetRequest(
      fleet,
      '/argocd/main/api/v1/applications/checkout-staging',
    );
    expect(one.json().metadata.name).toBe('checkout-staging');
    const missing = await fleetRequest(
      fleet,
      '/argocd/main/api/v1/applications/nope',
    );
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({
      code: 5,
      error: 'applications.argoproj.io "nope" not found',
    });
    expect(
      (await fleetRequest(fleet, '/argocd/main/api/version')).json().Version,
    ).toMatch(/^v2\./);
  });

  it('needs the bearer token', async () => {
    const res = await apps('', null);
    expect(res.status).toBe(401);
    expect(res.json()).toEqual({
      error: 'no session information',
      code: 16,
      message: 'no session information',
    });
    expect((await apps('', 'wrong')).status).toBe(401);
    expect(
      (await fleetRequest(fleet, '/argocd/other/api/v1/applications')).status,
    ).toBe(404);
  });
});
