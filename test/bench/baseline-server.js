'use strict';
/*
 * The fan-out baseline: what an entity page costs when the backend asks the clusters on every view,
 * as today's Kubernetes-API based plugins do (the Kubernetes plugin's custom resources, the Flux
 * plugin through it, Argo CD Applications read as custom resources).
 *
 * GET /entity/:kind/:namespace/:name/status lists, on every configured cluster and for every kind
 * below, the objects labelled `backstage.io/kubernetes-id=<name>` (one LIST with a labelSelector per
 * cluster and kind, all in parallel, as the Kubernetes backend's fetcher does), and answers with what
 * it found. No cache, no store. It is deliberately lean — plain node:https with one keep-alive agent,
 * no @kubernetes/client-node, no catalog lookup, no permission check, no normalization — so the
 * comparison favours the baseline, not us.
 */
const http = require('node:http');
const https = require('node:https');
const { serve } = require('./lib/ipc');

/**
 * The Flux kinds the Flux plugin asks the Kubernetes backend for (sources, Kustomizations,
 * HelmReleases) and Argo CD Applications, at the versions the demo fleet serves.
 */
const KINDS = [
  {
    group: 'kustomize.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'kustomizations',
  },
  { group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases' },
  {
    group: 'source.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'gitrepositories',
  },
  {
    group: 'source.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'ocirepositories',
  },
  {
    group: 'source.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'helmrepositories',
  },
  { group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'buckets' },
  { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' },
];

let server;
let fleet;
let agent;
const counters = { views: 0, upstream: 0, upstreamErrors: 0 };

function list(cluster, kind, selector) {
  const url = new URL(
    `${cluster.server}/apis/${kind.group}/${kind.version}/${kind.plural}`,
  );
  url.searchParams.set('labelSelector', selector);
  counters.upstream++;
  return new Promise(resolve => {
    const req = https.get(
      url,
      {
        agent,
        headers: {
          Authorization: `Bearer ${fleet.token}`,
          Accept: 'application/json',
        },
      },
      res => {
        const chunks = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode === 404) return resolve({ items: [] }); // kind not served there
          if (res.statusCode !== 200) {
            counters.upstreamErrors++;
            return resolve({
              error: `${cluster.name} ${kind.plural}: ${res.statusCode}`,
            });
          }
          try {
            resolve({
              items:
                JSON.parse(Buffer.concat(chunks).toString('utf8')).items ?? [],
            });
          } catch (e) {
            counters.upstreamErrors++;
            resolve({ error: `${cluster.name} ${kind.plural}: ${e.message}` });
          }
        });
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    req.on('error', e => {
      counters.upstreamErrors++;
      resolve({ error: `${cluster.name} ${kind.plural}: ${e.message}` });
    });
  });
}

async function entityStatus(name) {
  const selector = `backstage.io/kubernetes-id=${name}`;
  const results = await Promise.all(
    fleet.clusters.flatMap(cluster =>
      KINDS.map(async kind => ({
        cluster,
        kind,
        ...(await list(cluster, kind, selector)),
      })),
    ),
  );
  const records = [];
  const errors = [];
  for (const r of results) {
    if (r.error) errors.push(r.error);
    for (const o of r.items ?? []) {
      const ready = (o.status?.conditions ?? []).find(c => c.type === 'Ready');
      records.push({
        cluster: r.cluster.name,
        kind: o.kind,
        namespace: o.metadata?.namespace,
        name: o.metadata?.name,
        ready: ready?.status,
        sync: o.status?.sync?.status,
        health: o.status?.health?.status,
      });
    }
  }
  return { records, errors };
}

serve({
  async start(fleetInfo) {
    fleet = fleetInfo;
    agent = new https.Agent({
      keepAlive: true,
      ca: fleet.caPem,
      maxSockets: Infinity,
    });
    server = http.createServer(async (req, res) => {
      const m = /^\/entity\/[^/]+\/[^/]+\/([^/?]+)\/status/.exec(req.url);
      if (!m) {
        res.writeHead(404).end();
        return;
      }
      counters.views++;
      const body = JSON.stringify(await entityStatus(decodeURIComponent(m[1])));
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    server.keepAliveTimeout = 65_000;
    await new Promise(r => server.listen(0, '127.0.0.1', r));
    return {
      port: server.address().port,
      kinds: KINDS.map(k => k.plural),
      requestsPerView: fleet.clusters.length * KINDS.length,
    };
  },
  counters: () => ({ ...counters }),
  memory: () => process.memoryUsage(),
  async stop() {
    server?.closeAllConnections?.();
    await new Promise(r => (server ? server.close(() => r()) : r()));
    agent?.destroy();
  },
});
