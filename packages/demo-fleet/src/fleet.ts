import { createServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { createClock } from './clock';
import {
  SERVICE_TARGETS,
  SUBSCRIPTION_ID,
  TENANT_ID,
  buildClusters,
  publicCluster,
} from './clusters';
import { FaultController } from './faults';
import { ClusterStore } from './kubernetes/store';
import { RequestLog } from './requests';
import { buildFleetModel } from './scenario';
import { FleetRuntime, createRequestHandler } from './server';
import { generateTls } from './tls';
import { DemoFleet, DemoFleetOptions, Fault } from './types';

export const DEFAULT_TOKEN = 'demo-fleet-token';
const ARGO_INSTANCE = 'main';

/** Starts the simulated fleet: one HTTPS server for every endpoint. */
export async function startDemoFleet(
  options: DemoFleetOptions = {},
): Promise<DemoFleet> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? DEFAULT_TOKEN;
  const objectsPerCluster = options.objectsPerCluster ?? 0;
  if (!(Number.isInteger(objectsPerCluster) && objectsPerCluster >= 0)) {
    throw new Error(
      `objectsPerCluster must be a non-negative integer, got ${options.objectsPerCluster}`,
    );
  }

  const tls = await generateTls([host]);
  // The handler is attached once the port (and so every URL) is known.
  const attached: { handler?: ReturnType<typeof createRequestHandler> } = {};
  const server = createServer(
    { key: tls.keyPem, cert: tls.certPem },
    (req, res) => {
      if (attached.handler) void attached.handler(req, res);
      else res.writeHead(503).end();
    },
  );
  // Watches are long-lived; the API server does not time out idle responses either.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  // A wildcard listen address is reached via loopback; IPv6 needs brackets.
  let urlHost = host.includes(':') ? `[${host}]` : host;
  if (host === '0.0.0.0' || host === '::') urlHost = '127.0.0.1';
  const url = `https://${urlHost}:${port}`;

  const clusters = buildClusters(options.clusters, url);
  const clock = createClock(options.clock ?? 'real', options.startTime);
  const model = buildFleetModel(clusters, {
    startTime: clock.startTime,
    rolloutPeriodMs: options.rolloutPeriodMs ?? 90_000,
    objectsPerCluster,
  });
  const window = options.resourceVersionWindow ?? 10_000;
  const stores = new Map(
    clusters.map(c => [
      c.name,
      new ClusterStore(
        c,
        model.objectsByCluster.get(c.name)!,
        window,
        1000 + c.index * 100_000,
      ),
    ]),
  );
  const syncAll = () => {
    const t = clock.elapsed();
    for (const store of stores.values()) store.sync(t);
  };
  syncAll();

  const isTarget = (t: string) =>
    clusters.some(c => c.name === t) ||
    (SERVICE_TARGETS as readonly string[]).includes(t);
  const faults = new FaultController(isTarget);
  for (const [target, fault] of Object.entries(options.faults ?? {}))
    faults.set(target, fault);

  const latency = new Map<string, number>();
  const latencyFor = (target: string) =>
    latency.get(target) ??
    clusters.find(c => c.name === target)?.latencyMs ??
    options.latencyMs ??
    0;

  const requests = new RequestLog();
  const argoCluster = model.ctx.argoCluster;
  const publicClusters = clusters.map(publicCluster);
  const argocd = {
    instance: ARGO_INSTANCE,
    url: `${url}/argocd/${ARGO_INSTANCE}`,
    cluster: argoCluster.name,
  };
  const azure = {
    endpoint: `${url}/azure`,
    subscriptionId: SUBSCRIPTION_ID,
    tenantId: TENANT_ID,
  };
  const metricsUrl = `${url}/metrics`;
  const advance = (ms: number) => {
    clock.advance(ms);
    syncAll();
  };

  const runtime: FleetRuntime = {
    token,
    caPem: tls.caPem,
    url,
    clusters,
    stores,
    argoInstance: ARGO_INSTANCE,
    argoCluster,
    faults,
    requests,
    latencyFor,
    armRows: () => model.armRows(clock.elapsed()),
    resourceGraphPageSize: options.resourceGraphPageSize ?? 1000,
    bookmarkMs: options.watchBookmarkMs ?? 60_000,
    clockKind: clock.kind,
    elapsed: () => clock.elapsed(),
    advance,
    scenario: () => model.snapshot(clock.elapsed()),
    info: () => ({
      url,
      clock: clock.kind,
      startTime: new Date(clock.startTime).toISOString(),
      elapsedMs: clock.elapsed(),
      rolloutPeriodMs: model.ctx.timeline.period,
      clusters: publicClusters,
      argocd,
      azure,
      metricsUrl,
      faults: faults.list(),
    }),
  };
  attached.handler = createRequestHandler(runtime);

  // The real clock moves the scenario on by itself.
  const ticker =
    clock.kind === 'real'
      ? setInterval(syncAll, options.tickMs ?? 1000)
      : undefined;
  ticker?.unref();

  let stopped: Promise<void> | undefined;
  return {
    url,
    caPem: tls.caPem,
    token,
    clusters: publicClusters,
    argocd,
    azure,
    metricsUrl,
    kubeconfig: () => ({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: clusters.map(c => ({
        name: c.name,
        cluster: {
          server: c.server,
          'certificate-authority-data': Buffer.from(tls.caPem).toString(
            'base64',
          ),
        },
      })),
      users: [{ name: 'demo-fleet', user: { token } }],
      contexts: clusters.map(c => ({
        name: c.name,
        context: { cluster: c.name, user: 'demo-fleet' },
      })),
      'current-context': clusters[0].name,
    }),
    stop() {
      stopped ??= new Promise<void>(resolve => {
        if (ticker) clearInterval(ticker);
        server.close(() => resolve());
        // Watches never end by themselves; cut every connection.
        server.closeAllConnections();
      });
      return stopped;
    },
    setFault: (target: string, fault: Fault | undefined) =>
      faults.set(target, fault),
    faults: () => faults.list(),
    setLatency(target, ms) {
      if (!isTarget(target)) throw new Error(`Unknown target '${target}'`);
      if (ms === undefined) latency.delete(target);
      else latency.set(target, ms);
    },
    requestCount: filter => requests.count(filter),
    resetRequestCount: () => requests.reset(),
    advance,
    now: () => clock.now(),
    get scenario() {
      return model.snapshot(clock.elapsed());
    },
  };
}
