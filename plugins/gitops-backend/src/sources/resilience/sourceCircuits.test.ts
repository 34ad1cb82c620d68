/*
 * The Argo CD, Azure and Prometheus sources behind one circuit per target, against the demo fleet
 * (its fault switches and request counter) and loopback stubs (their request logs): five failed
 * collections open a target's circuit, the next collections report at once without a request, one
 * trial goes out after halfOpenAfter, and a success closes it. Only Date is faked (cockatiel reads
 * Date.now()); the servers run in real time.
 */
import { mockServices } from '@backstage/backend-test-utils';
import { startDemoFleet, type DemoFleet } from '@gitops-status/demo-fleet';
import type {
  GitOpsSource,
  SourceTargetResult,
} from '@gitops-status/plugin-gitops-node';
import { ClusterDirectory, type ClusterConfig } from '../../config/clusters';
import { ArgoCdApiSource } from '../argocd';
import type { ArgoCdInstanceConfig } from '../argocd/config';
import { AzureResourceGraphSource } from '../azure/AzureResourceGraphSource';
import { PrometheusSource } from '../prometheus/PrometheusSource';
import { vectorBody } from '../prometheus/__testUtils__/exposition';
import {
  startStub,
  type StubServer,
} from '../prometheus/__testUtils__/stubServer';
import { CircuitBreakers } from '.';
import { fakeDate, type FakeClock } from './__testUtils__/clock';

jest.setTimeout(60_000);

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const OPEN_MESSAGE =
  'circuit open after 5 consecutive failures; next attempt after 2026-01-01T00:01:00.000Z';

async function collect(source: GitOpsSource): Promise<SourceTargetResult[]> {
  const reports: SourceTargetResult[] = [];
  await source.collect({
    sink: { report: async r => void reports.push(r) },
    signal: new AbortController().signal,
  });
  return reports;
}

/** The stub's request count once nothing has arrived for 200 ms. */
async function settledCount(server: StubServer): Promise<number> {
  let last = -1;
  while (server.requests.length !== last) {
    last = server.requests.length;
    await new Promise(r => setTimeout(r, 200));
  }
  return last;
}

const byId = (reports: SourceTargetResult[]) =>
  Object.fromEntries(reports.map(r => [r.id, r]));

describe('sources behind a circuit per target', () => {
  let fleet: DemoFleet;
  let clusters: ClusterDirectory;
  let stub: StubServer | undefined;
  let clock: FakeClock | undefined;

  beforeAll(async () => {
    fleet = await startDemoFleet({ clock: 'manual' });
    clusters = new ClusterDirectory(
      fleet.clusters.map(
        (c): ClusterConfig => ({
          name: c.name,
          url: c.server,
          authProvider: 'serviceAccount',
          skipTLSVerify: false,
          aliases: [c.serverAlias],
          azureResourceId: c.azureResourceId,
          collect: true,
        }),
      ),
    );
  });
  afterAll(() => fleet.stop());
  afterEach(async () => {
    clock?.restore();
    clock = undefined;
    await stub?.close();
    stub = undefined;
    fleet.setFault('argocd/main', undefined);
    fleet.setFault('azure', undefined);
    fleet.resetRequestCount();
  });

  const caData = () => Buffer.from(fleet.caPem).toString('base64');
  const fleetInstance = (): ArgoCdInstanceConfig => ({
    name: 'main',
    url: fleet.argocd.url,
    token: fleet.token,
    caData: caData(),
    skipTLSVerify: false,
    namespaces: [],
    projects: [],
    cluster: fleet.argocd.cluster,
  });
  const stubInstance = (url: string): ArgoCdInstanceConfig => ({
    name: 'flaky',
    url,
    token: 'stub-token',
    skipTLSVerify: false,
    namespaces: [],
    projects: [],
  });
  const newAzure = (
    over: { breakers?: CircuitBreakers; requestTimeoutMs?: number } = {},
  ) =>
    new AzureResourceGraphSource({
      azure: {
        subscriptions: [fleet.azure.subscriptionId],
        endpoint: fleet.azure.endpoint,
        caData: caData(),
        accessToken: fleet.token,
      },
      clusters,
      logger: mockServices.logger.mock(),
      requestTimeoutMs: over.requestTimeoutMs ?? 5000,
      retry: { attempts: 1 },
      breakers: over.breakers,
    });
  const newPrometheus = (
    url: string,
    over: { breakers?: CircuitBreakers } = {},
  ) =>
    new PrometheusSource({
      prometheus: {
        name: 'default',
        url,
        headers: {},
        clusterLabel: 'cluster',
        skipTLSVerify: false,
      },
      clusters,
      logger: mockServices.logger.mock(),
      requestTimeoutMs: 5000,
      retry: { attempts: 1 },
      breakers: over.breakers,
    });

  /** A stub answering 500 while `down.value`, else `body`. */
  async function flakyStub(body: string) {
    const down = { value: true };
    stub = await startStub((_req, res) => {
      res.setHeader('content-type', 'application/json');
      if (down.value) {
        res.statusCode = 500;
        res.end('{"error":"stub is down","message":"stub is down"}');
      } else {
        res.end(body);
      }
    });
    return { server: stub, down };
  }

  it('Argo CD: an instance failing 5 times is not called for 60 s, while the other goes on', async () => {
    const { server, down } = await flakyStub('{"items":[]}');
    clock = fakeDate(T0);
    const source = new ArgoCdApiSource({
      instances: [fleetInstance(), stubInstance(server.url)],
      clusters,
      logger: mockServices.logger.mock(),
      requestTimeoutMs: 5000,
      retry: { attempts: 1 },
      breakers: new CircuitBreakers(),
    });

    for (let i = 1; i <= 5; i++) {
      const reports = byId(await collect(source));
      expect(reports['argocd-api:flaky']).toMatchObject({ status: 'error' });
      expect(reports['argocd-api:flaky'].message).toContain('500');
      expect(server.requests).toHaveLength(i);
    }
    const healthyBefore = fleet.requestCount({ endpoint: 'argocd' });
    expect(healthyBefore).toBe(5);

    // Open: the flaky instance reports at once, without a request; main is collected as usual.
    const open = byId(await collect(source));
    expect(open['argocd-api:flaky']).toEqual({
      id: 'argocd-api:flaky',
      target: 'flaky',
      status: 'error',
      message: `argocd flaky: ${OPEN_MESSAGE}; last failure: argocd flaky: GET /api/v1/applications: 500 Internal Server Error: stub is down`,
    });
    expect(server.requests).toHaveLength(5);
    expect(open['argocd-api:main'].status).toBe('ok');
    expect(fleet.requestCount({ endpoint: 'argocd' })).toBe(healthyBefore + 1);

    // After halfOpenAfter (60 s): one trial; it succeeds and closes the circuit.
    down.value = false;
    clock.advance(60_000);
    expect(byId(await collect(source))['argocd-api:flaky']).toMatchObject({
      status: 'ok',
      records: [],
    });
    expect(server.requests).toHaveLength(6);
    expect(byId(await collect(source))['argocd-api:flaky'].status).toBe('ok');
    expect(server.requests).toHaveLength(7);
  });

  it('Azure: 5 failed collections open the circuit; the trial after 60 s closes it', async () => {
    clock = fakeDate(T0);
    fleet.setFault('azure', 'error');
    const source = newAzure({ breakers: new CircuitBreakers() });
    for (let i = 1; i <= 5; i++) {
      const [report] = await collect(source);
      expect(report.status).toBe('error');
      // The first query fails (no retries here): one request per collection.
      expect(fleet.requestCount({ endpoint: 'azure' })).toBe(i);
    }
    const [open] = await collect(source);
    expect(open.status).toBe('error');
    expect(open.message).toMatch(
      new RegExp(
        `^azure: ${OPEN_MESSAGE}; last failure: azure: POST Microsoft\\.ResourceGraph/resources \\(flux configurations\\): 500 `,
      ),
    );
    expect(fleet.requestCount({ endpoint: 'azure' })).toBe(5);

    fleet.setFault('azure', undefined);
    clock.advance(59_000);
    expect((await collect(source))[0].message).toContain('circuit open');
    expect(fleet.requestCount({ endpoint: 'azure' })).toBe(5);
    clock.advance(1_000);
    const [trial] = await collect(source);
    expect(trial.status).toBe('ok');
    // One trial collection: the configurations query and the extensions query, one page each.
    expect(fleet.requestCount({ endpoint: 'azure' })).toBe(7);
  });

  it('Prometheus: 5 failed collections open the circuit; the trial after 60 s closes it', async () => {
    const { server, down } = await flakyStub(vectorBody([]));
    clock = fakeDate(T0);
    const source = newPrometheus(server.url, {
      breakers: new CircuitBreakers(),
    });
    for (let i = 0; i < 5; i++) {
      expect((await collect(source))[0].status).toBe('error');
    }
    // The four queries start together and the first failure cancels the rest, so a cancelled
    // request can still arrive after the collection returned.
    const sent = await settledCount(server);
    expect(sent).toBeGreaterThanOrEqual(5);
    expect(sent).toBeLessThanOrEqual(20);

    const [open] = await collect(source);
    expect(open.message).toMatch(
      new RegExp(
        `^prometheus default: ${OPEN_MESSAGE}; last failure: prometheus default: query \\w+: 500 `,
      ),
    );
    expect(await settledCount(server)).toBe(sent);

    down.value = false;
    clock.advance(60_000);
    expect((await collect(source))[0]).toMatchObject({
      status: 'ok',
      records: [],
    });
    // One trial collection: its four queries.
    expect(server.requests).toHaveLength(sent + 4);
  });

  it('a slow target does not delay the other targets beyond the request timeout', async () => {
    const timeoutMs = 1500;
    fleet.setFault('argocd/main', { type: 'slow', delayMs: 30_000 });
    stub = await startStub((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        req.url.startsWith('/api/v1/query') ? vectorBody([]) : '{"items":[]}',
      );
    });
    const sources: GitOpsSource[] = [
      new ArgoCdApiSource({
        instances: [fleetInstance(), stubInstance(stub.url)],
        clusters,
        logger: mockServices.logger.mock(),
        requestTimeoutMs: timeoutMs,
        retry: { attempts: 2, baseDelayMs: 10 },
      }),
      newAzure({ requestTimeoutMs: timeoutMs }),
      newPrometheus(stub.url),
    ];

    const started = Date.now();
    const reportedAfter: Record<string, number> = {};
    const reports: SourceTargetResult[] = [];
    // As the collector runs them: every source at once, each reporting per target as it goes.
    await Promise.all(
      sources.map(s =>
        s.collect({
          sink: {
            report: async r => {
              reportedAfter[r.id] = Date.now() - started;
              reports.push(r);
            },
          },
          signal: new AbortController().signal,
        }),
      ),
    );
    const elapsed = Date.now() - started;

    const results = byId(reports);
    expect(Object.keys(results).sort()).toEqual([
      'argocd-api:flaky',
      'argocd-api:main',
      expect.stringMatching(/^azure:/),
      'prometheus:default',
    ]);
    expect(results['argocd-api:main']).toMatchObject({
      status: 'error',
      message: `argocd main: GET /api/v1/applications: timed out after ${timeoutMs} ms`,
    });
    // Every other target reported, fine, before the slow target's first request even timed out.
    const others = Object.keys(results).filter(id => id !== 'argocd-api:main');
    expect(
      others.map(id => [id, results[id].status, reportedAfter[id] < timeoutMs]),
    ).toEqual(others.map(id => [id, 'ok', true]));
    // The slow one gives up after its two tries (+ ≤ 10 ms backoff), far before its 30 s answer.
    expect(reportedAfter['argocd-api:main']).toBeGreaterThanOrEqual(
      2 * timeoutMs,
    );
    expect(reportedAfter['argocd-api:main']).toBeLessThan(2 * timeoutMs + 1500);
    expect(elapsed).toBeLessThan(2 * timeoutMs + 1500);
  });
});
