import { ApiException, Watch } from '@kubernetes/client-node';
import {
  KUSTOMIZATIONS,
  customObjects,
  eventually,
  fleetRequest,
  kubeConfigFor,
} from './__testUtils__/clients';
import { DemoFleet, startDemoFleet } from './index';

const KS_PATH = '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations';

describe('fault injection', () => {
  let fleet: DemoFleet;
  const list = (cluster = 'staging') =>
    customObjects(fleet, cluster).listClusterCustomObject(KUSTOMIZATIONS);

  beforeAll(async () => {
    fleet = await startDemoFleet({
      clock: 'manual',
      faults: { 'prod-us': 'error' },
    });
  });
  afterEach(() => {
    for (const target of Object.keys(fleet.faults()))
      fleet.setFault(target, undefined);
  });
  afterAll(() => fleet.stop());

  it('starts with the faults given in the options', async () => {
    expect(fleet.faults()).toEqual({ 'prod-us': { type: 'error' } });
    await expect(list('prod-us')).rejects.toMatchObject({ code: 500 });
  });

  it('down: the connection is reset without an answer, other clusters are fine', async () => {
    fleet.setFault('staging', 'down');
    await expect(list()).rejects.toThrow(/socket hang up|ECONNRESET/);
    await expect(list('dev')).resolves.toMatchObject({
      kind: 'KustomizationList',
    });
  });

  it('slow: answers after the delay, or not before a client timeout', async () => {
    fleet.setFault('staging', { type: 'slow', delayMs: 300 });
    const res = await fleetRequest(fleet, `/clusters/staging${KS_PATH}`);
    expect(res.status).toBe(200);
    expect(res.elapsedMs).toBeGreaterThanOrEqual(290);

    fleet.setFault('staging', 'slow'); // default 30 s
    await expect(
      fleetRequest(fleet, `/clusters/staging${KS_PATH}`, { timeoutMs: 200 }),
    ).rejects.toThrow(/abort|timeout/i);
  });

  it('unauthorized: 401 even with the right token', async () => {
    fleet.setFault('staging', 'unauthorized');
    await expect(list()).rejects.toMatchObject({ code: 401 });
  });

  it('error: 500 with a Status body', async () => {
    fleet.setFault('prod-us', 'error');
    const err = (await list('prod-us').catch(e => e)) as ApiException<string>;
    expect(err.code).toBe(500);
    expect(JSON.parse(err.body)).toMatchObject({
      kind: 'Status',
      reason: 'InternalError',
      code: 500,
    });
  });

  it('garbage: 200 with a body that is not JSON', async () => {
    fleet.setFault('staging', 'garbage');
    const res = await fleetRequest(fleet, `/clusters/staging${KS_PATH}`);
    expect(res.status).toBe(200);
    expect(() => res.json()).toThrow(SyntaxError);
    await expect(list()).rejects.toThrow();
  });

  it('watch-close: watches end right after their first event', async () => {
    fleet.setFault('staging', 'watch-close');
    const events: string[] = [];
    await new Promise<void>(resolve => {
      void new Watch(kubeConfigFor(fleet, 'staging')).watch(
        KS_PATH,
        {},
        type => events.push(type),
        () => resolve(),
      );
    });
    expect(events).toEqual(['ADDED']);
  });

  it('expire: an open watch gets an ERROR 410 event, and the fault is used up', async () => {
    const seen: Array<{ type: string; obj: any }> = [];
    let ended = false;
    const current: any = await list();
    await new Watch(kubeConfigFor(fleet, 'staging')).watch(
      KS_PATH,
      { resourceVersion: current.metadata.resourceVersion },
      (type, obj) => seen.push({ type, obj }),
      () => {
        ended = true;
      },
    );
    await eventually(
      () => fleet.requestCount({ cluster: 'staging', watch: true }) > 0,
    );
    fleet.setFault('staging', 'expire');
    await eventually(() => ended, 5000, 'watch end');
    expect(seen).toEqual([
      {
        type: 'ERROR',
        obj: expect.objectContaining({
          kind: 'Status',
          code: 410,
          reason: 'Expired',
        }),
      },
    ]);
    expect(fleet.faults()).toEqual({});
  });

  it('expire: with no watch open, the next watch gets HTTP 410, then watches work again', async () => {
    const current: any = await list();
    fleet.setFault('staging', 'expire');
    const watchOnce = () =>
      fleetRequest(
        fleet,
        `/clusters/staging${KS_PATH}?watch=true&resourceVersion=${current.metadata.resourceVersion}&timeoutSeconds=1`,
      );
    const first = await watchOnce();
    expect(first.status).toBe(410);
    expect(first.json()).toMatchObject({ reason: 'Expired', code: 410 });
    const second = await watchOnce();
    expect(second.status).toBe(200);
  });

  it('applies to Argo CD, Resource Graph and metrics targets, and via POST /_fleet/faults', async () => {
    const post = (body: unknown) =>
      fleetRequest(fleet, '/_fleet/faults', { method: 'POST', body });
    expect(
      (await post({ cluster: 'argocd/main', fault: 'error' })).json(),
    ).toEqual({ 'argocd/main': { type: 'error' } });
    const argo = await fleetRequest(fleet, '/argocd/main/api/v1/applications');
    expect(argo.status).toBe(500);
    expect(argo.json()).toMatchObject({ code: 13 });
    await post({ cluster: 'argocd/main', fault: null });
    expect(
      (await fleetRequest(fleet, '/argocd/main/api/v1/applications')).status,
    ).toBe(200);

    await post({ target: 'azure', fault: 'unauthorized' });
    const azure = await fleetRequest(
      fleet,
      '/azure/providers/Microsoft.ResourceGraph/resources?api-version=2021-03-01',
      { method: 'POST', body: { query: 'x' } },
    );
    expect(azure.status).toBe(401);
    expect(azure.json().error.code).toBe('AuthenticationFailed');

    await post({ target: 'metrics', fault: 'slow', delayMs: 100 });
    expect(
      (await fleetRequest(fleet, '/metrics')).elapsedMs,
    ).toBeGreaterThanOrEqual(90);

    expect((await post({ cluster: 'nope', fault: 'down' })).status).toBe(400);
    expect((await post({ cluster: 'dev', fault: 'explode' })).status).toBe(400);
    expect(
      (
        await fleetRequest(fleet, '/_fleet/faults', {
          method: 'POST',
          body: {},
          token: 'wrong',
        })
      ).status,
    ).toBe(401);
  });

  it('adds per-cluster latency', async () => {
    fleet.setLatency('staging', 150);
    try {
      expect(
        (await fleetRequest(fleet, `/clusters/staging${KS_PATH}`)).elapsedMs,
      ).toBeGreaterThanOrEqual(140);
      expect(
        (await fleetRequest(fleet, `/clusters/dev${KS_PATH}`)).elapsedMs,
      ).toBeLessThan(140);
    } finally {
      fleet.setLatency('staging', undefined);
    }
  });

  it('counts upstream requests per cluster and endpoint', async () => {
    fleet.resetRequestCount();
    expect(fleet.requestCount()).toBe(0);
    await list('dev');
    await list('dev');
    await list('staging');
    await fleetRequest(fleet, '/argocd/main/api/v1/applications');
    await fleetRequest(fleet, '/metrics');
    await fleetRequest(fleet, '/healthz', { token: null });
    await fleetRequest(fleet, '/_fleet/scenario');
    expect(fleet.requestCount('dev')).toBe(3); // Argo CD runs on dev
    expect(fleet.requestCount({ cluster: 'dev', endpoint: 'kubernetes' })).toBe(
      2,
    );
    expect(fleet.requestCount({ endpoint: 'argocd' })).toBe(1);
    expect(fleet.requestCount({ endpoint: 'metrics' })).toBe(1);
    expect(fleet.requestCount()).toBe(5);
    const viaHttp = await fleetRequest(
      fleet,
      '/_fleet/requests?cluster=staging',
    );
    expect(viaHttp.json()).toEqual({ count: 1 });
    fleet.resetRequestCount();
    expect(fleet.requestCount()).toBe(0);
  });
});
