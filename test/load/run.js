#!/usr/bin/env node
'use strict';
/*
 * Load and faults (issue #7): the GitOps backend under a fixed request rate while the demo fleet
 * injects faults, then two replicas on one PostgreSQL database, one of them killed mid-session.
 * See test/load/README.md and docs/reliability.md.
 *
 *   node test/load/run.js [options]
 *
 *   --postgres <url>     PostgreSQL to create the run's database in (it is dropped at the end)
 *                        default postgresql://postgres@127.0.0.1:54329/postgres
 *   --rate <n>           requests per second, half on the entity status endpoint, half on
 *                        deployments (200)
 *   --duration <s>       load duration (30)
 *   --connections <n>    autocannon connections per endpoint (50)
 *   --clusters <n>       fleet clusters, at least 8 (8)
 *   --takeover-limit <s> how long to wait for the surviving replica to take over (130)
 *   --spread             put the load on both replicas (half each, as a load balancer would)
 *                        instead of on replica A alone
 *   --no-docs            do not rewrite the figures section of docs/reliability.md
 *   --json <file>        raw results (default: a file in the OS temp folder)
 *
 * Processes: this one (driver, autocannon, probes), the fleet, replicas A and B (the real plugin,
 * the real scheduler); each is its own Node process, started and stopped here by pid.
 * Exit code 0 when every promise held, 1 otherwise.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const https = require('node:https');
const autocannon = require('autocannon');
const knexFactory = require('knex');
const { startChild } = require('./lib/ipc');
const { summarize, ms } = require('../bench/lib/stats');
const {
  storeState,
  hashMismatches,
  compareWithScenario,
} = require('./lib/store');
const { report, shortMessage, writeDoc } = require('./lib/report');

const REPO_ROOT = path.resolve(__dirname, '../..');
const DOC = path.join(REPO_ROOT, 'docs/reliability.md');
const FIGURES_START =
  '<!-- load-figures:start (written by test/load/run.js) -->';
const FIGURES_END = '<!-- load-figures:end -->';

/**
 * Collection settings of both replicas: short sessions, so several run during the load, and the
 * circuit breaker's pause scaled down with them (defaults: 60 s sessions, 60 s pause), so a
 * recovered cluster is tried again within the run.
 */
const COLLECTION = {
  frequencyMs: 5000,
  sessionMs: 5000,
  requestTimeoutMs: 2000,
  circuitBreaker: { failures: 5, halfOpenAfter: { seconds: 10 } },
};

// ---------------------------------------------------------------- options

function parseArgs(argv) {
  const o = {
    postgres: 'postgresql://postgres@127.0.0.1:54329/postgres',
    rate: 200,
    duration: 30,
    connections: 50,
    clusters: 8,
    takeoverLimit: 130,
    spread: false,
    docs: true,
    json: path.join(os.tmpdir(), `gitops-load-${Date.now()}.json`),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--postgres':
        o.postgres = next();
        break;
      case '--rate':
        o.rate = Number(next());
        break;
      case '--duration':
        o.duration = Number(next());
        break;
      case '--connections':
        o.connections = Number(next());
        break;
      case '--clusters':
        o.clusters = Math.max(8, Number(next()));
        break;
      case '--takeover-limit':
        o.takeoverLimit = Number(next());
        break;
      case '--spread':
        o.spread = true;
        break;
      case '--no-docs':
        o.docs = false;
        break;
      case '--json':
        o.json = next();
        break;
      case '--help':
      case '-h':
        process.stdout.write(
          `${fs
            .readFileSync(__filename, 'utf8')
            .split('*/')[0]
            .replace(/^[\s\S]*?\/\*\n/, '')
            .replace(/^ \* ?/gm, '')}\n`,
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${a} (see --help)`);
    }
  }
  return o;
}

const T0 = Date.now();
/** How long recovered clusters are watched after the faults are cleared: the breaker's pause and two cycles. */
const recoveryWatchMs = () =>
  COLLECTION.circuitBreaker.halfOpenAfter.seconds * 1000 +
  2 * (COLLECTION.frequencyMs + COLLECTION.sessionMs);
const rel = at => (at - T0) / 1000;
const log = message =>
  process.stderr.write(`[load ${rel(Date.now()).toFixed(1)}s] ${message}\n`);
const sleep = msec => new Promise(r => setTimeout(r, msec));
const loadavg = () => os.loadavg().map(x => +x.toFixed(2));

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes (then returns undefined). */
async function until(fn, { timeoutMs, intervalMs = 250 }) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) return undefined;
    await sleep(intervalMs);
  }
}

function gitDescribe() {
  const { execFileSync } = require('node:child_process');
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: REPO_ROOT,
    })
      .toString()
      .trim();
    const dirty = execFileSync(
      'git',
      ['status', '--porcelain', '--', 'plugins', 'packages'],
      { cwd: REPO_ROOT },
    )
      .toString()
      .trim();
    return dirty
      ? `${head} + uncommitted changes in plugins/ or packages/`
      : head;
  } catch {
    return 'unknown';
  }
}

// ---------------------------------------------------------------- HTTP

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

/** One GET on a replica: status code and body text. */
function get(port, urlPath, headers) {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: urlPath, headers, agent },
      res => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', c => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode, body }));
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error('timeout (15 s)')));
    req.on('error', reject);
  });
}

async function getJson(port, urlPath, headers) {
  const r = await get(port, urlPath, headers);
  if (r.status !== 200)
    throw new Error(`GET ${urlPath}: ${r.status} ${r.body.slice(0, 200)}`);
  return JSON.parse(r.body);
}

/** The fleet's HTTP control plane (/_fleet/…), as a test or an operator with curl would use it. */
function fleetControl(fleet, method, urlPath, body) {
  const url = new URL(urlPath, fleet.url);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        ca: fleet.caPem,
        headers: {
          Authorization: `Bearer ${fleet.token}`,
          'Content-Type': 'application/json',
        },
      },
      res => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', c => {
          text += c;
        });
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(text ? JSON.parse(text) : undefined)
            : reject(
                new Error(`${method} ${urlPath}: ${res.statusCode} ${text}`),
              ),
        );
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

// ---------------------------------------------------------------- load generation

/**
 * autocannon at a fixed rate (`overallRate`, spread over the connections) for `duration` s.
 * Latencies come from the per-response event (float ms). autocannon corrects for coordinated
 * omission at a fixed rate: a response later than its slot also counts the requests it held back.
 */
function load({ port, headers, paths, connections, duration, rate }) {
  let i = 0;
  const latencies = [];
  const statusCodes = {};
  const errorMessages = {};
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections,
        overallRate: rate,
        duration,
        headers,
        timeout: 10,
        requests: [
          {
            method: 'GET',
            setupRequest: req => ({ ...req, path: paths[i++ % paths.length] }),
          },
        ],
      },
      (err, result) => {
        if (err) return reject(err);
        const s = summarize(latencies);
        resolve({
          ...s,
          latencies,
          requests: latencies.length,
          rps: latencies.length / result.duration,
          durationS: result.duration,
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          resets: result.resets,
          statusCodes,
          errorMessages,
          autocannon: {
            p50: result.latency.p50,
            p99: result.latency.p99,
            rpsMean: result.requests.average,
            rpsMin: result.requests.min,
          },
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      statusCodes[statusCode] = (statusCodes[statusCode] || 0) + 1;
    });
    instance.on('reqError', e => {
      const k = String(e && e.message);
      errorMessages[k] = (errorMessages[k] || 0) + 1;
    });
  });
}

/** What made a replica fail to start, in one line: the plugin's `caused by …`. */
function startupFailure(error) {
  const text = String(error && error.message ? error.message : error);
  const m = /caused by (.*?)(?: \| root cause|$)/s.exec(text);
  return (m ? m[1] : text.split('\n')[0]).replace(/\s+/g, ' ').slice(0, 300);
}

/** Several autocannon runs (one per replica) as one: counts added, percentiles over all latencies. */
function mergeLoads(runs) {
  const latencies = runs.flatMap(r => r.latencies);
  const add = k => runs.reduce((n, r) => n + r[k], 0);
  const durationS = Math.max(...runs.map(r => r.durationS));
  const statusCodes = {};
  const errorMessages = {};
  for (const r of runs) {
    for (const [k, v] of Object.entries(r.statusCodes))
      statusCodes[k] = (statusCodes[k] || 0) + v;
    for (const [k, v] of Object.entries(r.errorMessages))
      errorMessages[k] = (errorMessages[k] || 0) + v;
  }
  return {
    ...summarize(latencies),
    requests: latencies.length,
    rps: latencies.length / durationS,
    durationS,
    errors: add('errors'),
    timeouts: add('timeouts'),
    non2xx: add('non2xx'),
    resets: add('resets'),
    statusCodes,
    errorMessages,
    perTarget: runs.map(r => ({
      requests: r.requests,
      rps: r.rps,
      p50: r.p50,
      p99: r.p99,
      autocannon: r.autocannon,
    })),
  };
}

// ---------------------------------------------------------------- what the API says

/** Every deployment row's record id, through the API (all pages). */
async function apiRecordIds(port, headers) {
  const ids = new Set();
  for (let offset = 0; ; offset += 500) {
    const page = await getJson(
      port,
      `/api/gitops/deployments?limit=500&offset=${offset}`,
      headers,
    );
    for (const row of page.items) {
      const r = row.record;
      ids.add([r.tool, r.cluster, r.namespace, r.kind, r.name].join('|'));
    }
    if (offset + 500 >= page.totalItems) return ids;
  }
}

/** Per source target, as GET /clusters shows it: status, message, last success. */
async function apiHealth(port, headers) {
  const body = await getJson(port, '/api/gitops/clusters', headers);
  const out = {};
  for (const c of body.clusters) {
    const h = c.sources.find(s => s.id === `kubernetes:${c.name}`);
    out[c.name] = {
      records: c.records,
      status: h?.status,
      message: h?.message,
      lastSuccessAt: h?.lastSuccessAt,
      lastAttemptAt: h?.lastAttemptAt,
    };
  }
  return out;
}

/**
 * The entity status of every annotated example entity, and per reporting cluster how many records
 * were served, how many marked stale, and with which message.
 */
async function statusByCluster(port, headers, entityPaths, targetsOf) {
  const out = {};
  let records = 0;
  for (const p of entityPaths) {
    const body = await getJson(port, p, headers);
    for (const r of body.records) {
      records++;
      const id = [r.tool, r.cluster, r.namespace, r.kind, r.name].join('|');
      for (const t of targetsOf.get(id) || ['(unknown)']) {
        const c = t.replace(/^kubernetes:/, '');
        out[c] = out[c] || { served: 0, stale: 0, messages: new Set() };
        out[c].served++;
        if (r.stale) {
          out[c].stale++;
          out[c].messages.add(r.stale.message);
        }
      }
    }
  }
  for (const c of Object.values(out)) c.messages = [...c.messages];
  return { records, byCluster: out };
}

// ---------------------------------------------------------------- the run

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const machine = {
    date: new Date().toISOString(),
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model,
    memoryGiB: +(os.totalmem() / 1024 ** 3).toFixed(1),
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    loadAverageAtStart: loadavg(),
    commit: gitDescribe(),
  };
  log(`machine ${JSON.stringify(machine)}`);
  const results = {
    machine,
    options: { ...opts },
    collection: COLLECTION,
    checks: [],
  };
  /** A promise of the issue and whether this run kept it. */
  const check = (name, ok, detail) => {
    results.checks.push({ name, ok: Boolean(ok), detail });
    log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  };

  const children = [];
  const stopAll = async () => {
    for (const c of children.reverse()) await c.stop().catch(() => undefined);
  };
  process.on('SIGINT', () => stopAll().then(() => process.exit(130)));

  // The run's own database, dropped at the end.
  const database = `gitops_load_${process.pid}_${Date.now()}`;
  const admin = knexFactory({
    client: 'pg',
    connection: opts.postgres,
    pool: { min: 0, max: 1 },
  });
  const dbUrl = new URL(opts.postgres);
  dbUrl.pathname = `/${database}`;
  let db;
  let recordHash;
  try {
    // The plugin's own hash function, to find rows whose hash and data disagree.
    require('@backstage/cli/config/nodeTransform.cjs');
    ({ recordHash } = require(path.join(
      REPO_ROOT,
      'plugins/gitops-backend/src/merge/identity',
    )));
  } catch (e) {
    log(`(row hash check off: ${e.message})`);
  }

  try {
    await admin.raw(`create database ${database}`);
    db = knexFactory({
      client: 'pg',
      connection: dbUrl.toString(),
      pool: { min: 0, max: 2 },
    });

    // ------------------------------------------------------------ fleet
    const fleetProc = startChild(path.join(__dirname, 'fleet-child.js'), {
      name: 'fleet',
      cwd: REPO_ROOT,
    });
    children.push(fleetProc);
    const fleet = await fleetProc.call('start', { clusters: opts.clusters });
    const clusterNames = fleet.clusters.map(c => c.name);
    results.fleet = {
      clusters: clusterNames.length,
      objects: fleet.objects,
      clock: 'manual',
    };
    log(
      `fleet: ${clusterNames.join(', ')}; ${fleet.objects} objects (pid ${
        fleetProc.pid
      })`,
    );

    // ------------------------------------------------------------ two replicas, one database
    const events = [];
    const replicas = {};
    const startReplica = async name => {
      const proc = startChild(path.join(__dirname, 'backend-child.js'), {
        name: `replica ${name}`,
        cwd: REPO_ROOT,
      });
      children.push(proc);
      proc.onEvent(e => events.push(e));
      try {
        const info = await proc.call('start', {
          fleet,
          databaseUrl: dbUrl.toString(),
          name,
          ...COLLECTION,
        });
        replicas[name] = { name, proc, ...info };
        return info;
      } catch (e) {
        await proc.stop();
        throw e;
      }
    };
    // Both at once, as a Deployment with replicas: 2 starts them (migrations race on one database).
    const starts = await Promise.allSettled(['A', 'B'].map(startReplica));
    results.replicaStart = starts.map((s, i) => ({
      replica: 'AB'[i],
      ok: s.status === 'fulfilled',
      ms: s.value?.startMs,
      error: s.reason ? startupFailure(s.reason) : undefined,
      detail: s.reason ? String(s.reason).slice(0, 3000) : undefined,
    }));
    for (const [i, s] of starts.entries()) {
      // What an orchestrator does with a pod that crashed on start: start it again, a bit later.
      let failure = s.status === 'rejected' ? s.reason : undefined;
      for (let attempt = 1; failure; attempt++) {
        log(
          `replica ${
            'AB'[i]
          } failed to start (attempt ${attempt}): ${startupFailure(failure)}`,
        );
        if (attempt >= 5) throw failure;
        await sleep(2000);
        failure = await startReplica('AB'[i]).then(
          () => undefined,
          e => e,
        );
        results.replicaStart[i].restarts = attempt;
      }
    }
    check(
      'both replicas start at the same time on one empty database',
      starts.every(s => s.status === 'fulfilled'),
      results.replicaStart
        .map(
          s =>
            `${s.replica}: ${
              s.ok ? `up in ${ms(s.ms)} ms` : `failed: ${s.error}`
            }`,
        )
        .join('; '),
    );
    const A = replicas.A;
    const B = replicas.B;
    const headers = { Authorization: A.authHeader };
    log(
      `replicas: A :${A.port} (pid ${A.pid}), B :${B.port} (pid ${B.pid}), database ${database}`,
    );

    // Every cluster reported once.
    const allOk = async port => {
      const h = await apiHealth(port, headers).catch(() => undefined);
      return (
        h &&
        clusterNames.every(c => h[c]?.status === 'ok' && h[c].records > 0) &&
        h
      );
    };
    const firstOk = await until(() => allOk(A.port), { timeoutMs: 40_000 });
    if (!firstOk) throw new Error('not every cluster reported within 40 s');
    log('every cluster reported');

    // ------------------------------------------------------------ the API's entities
    const entityPaths = [
      'component/default/podinfo',
      'component/default/guestbook',
      'component/default/checkout',
      'component/default/payments-api',
      'component/default/ingress-nginx',
      'component/default/legacy-batch',
      'component/default/fleet-infra',
      'component/default/docs-site',
      'system/default/storefront',
      'system/default/platform',
      'group/default/team-payments',
    ].map(e => `/api/gitops/entity/${e}/status`);
    const deploymentPaths = [
      '',
      '?state=error',
      '?cluster=dev',
      '?cluster=staging&cluster=prod-eu',
      '?tool=argocd',
      `?owner=${encodeURIComponent('group:default/team-storefront')}`,
      '?q=payments&sort=lastReconciledAt&order=desc',
      '?kind=HelmRelease&limit=10&offset=5',
      `?system=${encodeURIComponent('system:default/platform')}&health=Healthy`,
    ].map(q => `/api/gitops/deployments${q}`);

    // ------------------------------------------------------------ before the faults
    const before = await storeState(db);
    const beforeApi = await apiRecordIds(A.port, headers);
    results.before = {
      records: before.recordIds.size,
      apiRecords: beforeApi.size,
    };
    log(
      `before: ${before.recordIds.size} records in the store, ${beforeApi.size} through the API`,
    );

    // Where the load goes: replica A, or (--spread) both, as a load balancer would.
    const targets = opts.spread ? [A, B] : [A];
    /** One endpoint's share of the load on every target, merged. */
    const loadEndpoint = async (paths, duration, rate) =>
      mergeLoads(
        await Promise.all(
          targets.map(t =>
            load({
              port: t.port,
              headers,
              paths,
              connections: Math.ceil(opts.connections / targets.length),
              duration,
              rate: rate / targets.length,
            }),
          ),
        ),
      );
    const usage = async () =>
      Object.fromEntries(
        await Promise.all(
          targets.map(async t => [t.name, await t.proc.call('usage')]),
        ),
      );
    const cpuPerRequest = (u0, u1, requests) =>
      targets.reduce((n, t) => n + (u1[t.name].cpuMs - u0[t.name].cpuMs), 0) /
      requests;

    // Warm-up (JIT, connection pools, the catalog mock), one endpoint at a time: the backend's CPU
    // time per request of each, at the rate it gets during the load, collection included.
    const u0 = await usage();
    const calStatus = await loadEndpoint(entityPaths, 3, opts.rate / 2);
    const u1 = await usage();
    const calDeployments = await loadEndpoint(
      deploymentPaths,
      3,
      opts.rate / 2,
    );
    const u2 = await usage();
    results.cpuPerRequestMs = {
      status: cpuPerRequest(u0, u1, calStatus.requests),
      deployments: cpuPerRequest(u1, u2, calDeployments.requests),
    };
    log(
      `backend CPU per request (warm-up, ${
        opts.rate / 2
      } req/s, one endpoint at a time): status ${ms(
        results.cpuPerRequestMs.status,
      )} ms, deployments ${ms(results.cpuPerRequestMs.deployments)} ms`,
    );

    // ------------------------------------------------------------ load + faults
    const healthy = ['dev', 'cluster-07', 'cluster-08'];
    const plan = [
      { at: 3, cluster: 'staging', fault: 'down' },
      { at: 6, cluster: 'prod-eu', fault: 'unauthorized' },
      { at: 9, cluster: 'prod-us', fault: 'slow', delayMs: 30_000 },
      { at: 12, cluster: 'cluster-05', fault: 'garbage' },
      { at: 15, cluster: 'cluster-06', fault: 'watch-close' },
    ].filter(f => f.at < opts.duration - 5);
    const faulted = plan.map(f => f.cluster);
    const failing = plan
      .filter(f => f.fault !== 'watch-close')
      .map(f => f.cluster);
    const collecting = healthy.concat(
      plan.filter(f => f.fault === 'watch-close').map(f => f.cluster),
    );
    const loadStart = Date.now();
    const injected = [];
    const probes = [];
    let probing = true;
    const watchesBefore = {};
    for (const f of plan)
      watchesBefore[f.cluster] = await fleetProc.call('requestCount', {
        cluster: f.cluster,
        watch: true,
      });

    const faultsDone = (async () => {
      for (const f of plan) {
        await sleep(Math.max(0, loadStart + f.at * 1000 - Date.now()));
        await fleetControl(fleet, 'POST', '/_fleet/faults', {
          cluster: f.cluster,
          fault: f.fault,
          ...(f.delayMs ? { delayMs: f.delayMs } : {}),
        });
        injected.push({ ...f, atS: (Date.now() - loadStart) / 1000 });
        log(
          `fault: ${f.cluster} ${f.fault}${
            f.delayMs ? ` ${f.delayMs} ms` : ''
          }`,
        );
      }
    })();
    // The fleet moves on during the load: 90 s of scenario time in steps, i.e. one commit rolled
    // out to every cluster, so sessions have changes to write while requests are served.
    const advances = (async () => {
      const stopAt = loadStart + (opts.duration - 6) * 1000;
      const steps = Math.floor((opts.duration - 6) / 2);
      for (let s = 0; s < steps && Date.now() < stopAt; s++) {
        await sleep(2000);
        await fleetControl(fleet, 'POST', '/_fleet/advance', {
          ms: Math.round(90_000 / steps),
        });
      }
    })();
    // What the API says about every cluster, twice a second, on the replica not under load.
    const probeLoop = (async () => {
      while (probing) {
        const t = Date.now();
        try {
          probes.push({
            atS: (t - loadStart) / 1000,
            health: await apiHealth(B.port, headers),
          });
        } catch (e) {
          probes.push({ atS: (t - loadStart) / 1000, error: String(e) });
        }
        await sleep(Math.max(0, 500 - (Date.now() - t)));
      }
    })();

    log(
      `load: ${opts.rate} req/s for ${opts.duration} s on ${targets
        .map(t => t.name)
        .join(' + ')} (status ${opts.rate / 2}/s, deployments ${
        opts.rate / 2
      }/s), load average ${loadavg().join(' ')}`,
    );
    const loadavgDuring = [];
    const loadavgTimer = setInterval(
      () => loadavgDuring.push(os.loadavg()[0]),
      5000,
    );
    const u3 = await usage();
    const [statusLoad, deploymentsLoad] = await Promise.all([
      loadEndpoint(entityPaths, opts.duration, opts.rate / 2),
      loadEndpoint(deploymentPaths, opts.duration, opts.rate / 2),
    ]);
    const u4 = await usage();
    clearInterval(loadavgTimer);
    await faultsDone;
    await advances;
    results.load = {
      target: targets.map(t => t.name).join(' + '),
      status: statusLoad,
      deployments: deploymentsLoad,
      backendCpuPerRequestMs: cpuPerRequest(
        u3,
        u4,
        statusLoad.requests + deploymentsLoad.requests,
      ),
      backendCpuShare: Object.fromEntries(
        targets.map(t => [
          t.name,
          +(
            (u4[t.name].cpuMs - u3[t.name].cpuMs) /
            (u4[t.name].eluActiveMs +
              u4[t.name].eluIdleMs -
              (u3[t.name].eluActiveMs + u3[t.name].eluIdleMs))
          ).toFixed(2),
        ]),
      ),
      eventLoopUtilization: Object.fromEntries(
        targets.map(t => [
          t.name,
          +(
            (u4[t.name].eluActiveMs - u3[t.name].eluActiveMs) /
            (u4[t.name].eluActiveMs +
              u4[t.name].eluIdleMs -
              (u3[t.name].eluActiveMs + u3[t.name].eluIdleMs))
          ).toFixed(2),
        ]),
      ),
      loadAverage1mDuring: loadavgDuring.map(x => +x.toFixed(2)),
      loadAverageAfter: loadavg(),
    };
    const total = {
      requests: statusLoad.requests + deploymentsLoad.requests,
      errors: statusLoad.errors + deploymentsLoad.errors,
      timeouts: statusLoad.timeouts + deploymentsLoad.timeouts,
      non2xx: statusLoad.non2xx + deploymentsLoad.non2xx,
      durationS: Math.max(statusLoad.durationS, deploymentsLoad.durationS),
    };
    total.rps = total.requests / total.durationS;
    results.load.total = total;
    log(
      `load done: ${total.requests} requests, ${total.rps.toFixed(1)} req/s, ${
        total.errors
      } errors, ${total.timeouts} timeouts, ${total.non2xx} non-2xx`,
    );
    check(
      `${opts.rate} req/s held for ${opts.duration} s with 0 errors`,
      total.errors === 0 &&
        total.non2xx === 0 &&
        total.timeouts === 0 &&
        total.rps >= opts.rate * 0.98,
      `${total.requests} requests in ${total.durationS} s (${total.rps.toFixed(
        1,
      )} req/s), ${total.errors} errors, ${total.timeouts} timeouts, ${
        total.non2xx
      } non-2xx`,
    );

    // ------------------------------------------------------------ during the faults
    // Which target reports which record: a record is stale when one of them is failing.
    const targetsOf = async () => {
      const m = new Map();
      for (const o of await db('gitops_observations').select(
        'target_id',
        'record_id',
      )) {
        m.set(o.record_id, [...(m.get(o.record_id) || []), o.target_id]);
      }
      return m;
    };
    // The healthy clusters caught up with the last advance (a session or two).
    const scenarioAtEnd = await fleetProc.call('scenario');
    const caughtUp = await until(
      async () => {
        const cmp = compareWithScenario(
          await storeState(db),
          scenarioAtEnd,
          collecting,
        );
        return collecting.every(c => cmp[c].mismatches.length === 0) && cmp;
      },
      { timeoutMs: 15_000, intervalMs: 500 },
    );
    const during = {
      health: await apiHealth(B.port, headers),
      status: await statusByCluster(
        B.port,
        headers,
        entityPaths,
        await targetsOf(),
      ),
      store: await storeState(db),
    };
    probing = false;
    await probeLoop;
    const duringApi = await apiRecordIds(A.port, headers);
    const lost = [...before.recordIds].filter(
      id => !during.store.recordIds.has(id),
    );
    const lostApi = [...beforeApi].filter(id => !duringApi.has(id));
    const now = Date.now();
    const ageS = c =>
      during.health[c].lastSuccessAt
        ? (now - Date.parse(during.health[c].lastSuccessAt)) / 1000
        : Infinity;

    // When each fault showed in the API (GET /clusters on replica B).
    results.faults = injected.map(async f => {
      const seen = probes.find(
        p =>
          p.atS >= f.atS && p.health && p.health[f.cluster]?.status === 'error',
      );
      const st = during.status.byCluster[f.cluster] || {
        served: 0,
        stale: 0,
        messages: [],
      };
      return {
        ...f,
        errorSeenAfterS: seen ? +(seen.atS - f.atS).toFixed(1) : undefined,
        healthAtEnd: during.health[f.cluster].status,
        message: during.health[f.cluster].message,
        recordsServed: st.served,
        recordsStale: st.stale,
        staleMessages: st.messages,
        recordsInStore: during.store.byTarget[`kubernetes:${f.cluster}`] || 0,
        recordsBefore: before.byTarget[`kubernetes:${f.cluster}`] || 0,
        watchRequests:
          (await fleetProc.call('requestCount', {
            cluster: f.cluster,
            watch: true,
          })) - watchesBefore[f.cluster],
      };
    });
    results.faults = await Promise.all(results.faults);
    results.healthyAtEnd = Object.fromEntries(
      collecting.map(c => [
        c,
        {
          status: during.health[c].status,
          lastSuccessAgeS: +ageS(c).toFixed(1),
          served: during.status.byCluster[c]?.served ?? 0,
          stale: during.status.byCluster[c]?.stale ?? 0,
          matchesFleet: caughtUp ? caughtUp[c].mismatches.length === 0 : false,
        },
      ]),
    );
    results.lostDuringFaults = { store: lost, api: lostApi };
    check(
      'records lost under faults: 0 (identities before the faults vs at the end of the load)',
      lost.length === 0 &&
        lostApi.length === 0 &&
        during.store.recordIds.size >= before.recordIds.size,
      `${before.recordIds.size} before, ${during.store.recordIds.size} after in the store; ${beforeApi.size} / ${duringApi.size} through GET /deployments; lost ${lost.length} (store), ${lostApi.length} (API)`,
    );
    check(
      'healthy clusters served fresh (ok, last success within 2 sessions, not stale, equal to the fleet)',
      collecting.every(
        c =>
          during.health[c].status === 'ok' &&
          ageS(c) <= (2 * (COLLECTION.sessionMs + 5000)) / 1000 &&
          (during.status.byCluster[c]?.served ?? 0) > 0 &&
          (during.status.byCluster[c]?.stale ?? 0) === 0,
      ) && Boolean(caughtUp),
      collecting
        .map(
          c =>
            `${c}: ${during.health[c].status}, ${ageS(c).toFixed(1)} s, ${
              during.status.byCluster[c]?.served ?? 0
            } served, ${during.status.byCluster[c]?.stale ?? 0} stale`,
        )
        .join('; ') +
        (caughtUp ? '; all equal to the fleet' : '; NOT equal to the fleet'),
    );
    check(
      'failing clusters: last known records still served, every one marked stale with the error',
      results.faults
        .filter(f => failing.includes(f.cluster))
        .every(
          f =>
            f.healthAtEnd === 'error' &&
            f.recordsServed > 0 &&
            f.recordsStale === f.recordsServed &&
            f.recordsInStore === f.recordsBefore,
        ),
      results.faults
        .filter(f => failing.includes(f.cluster))
        .map(
          f =>
            `${f.cluster} (${f.fault}): ${f.recordsStale}/${f.recordsServed} stale`,
        )
        .join('; '),
    );

    // ------------------------------------------------------------ recovery
    // From the moment the faults are cleared until the kill: when each cluster is ok again, and
    // whether one goes back to error afterwards (a replica still holding an open circuit for it).
    const clearedAt = Date.now();
    for (const f of plan)
      await fleetControl(fleet, 'POST', '/_fleet/faults', {
        cluster: f.cluster,
        fault: null,
      });
    const recovery = { firstOkS: {}, flaps: [] };
    let monitoring = true;
    const monitorLoop = (async () => {
      const last = {};
      while (monitoring) {
        const t = Date.now();
        const h = await apiHealth(B.port, headers).catch(() => undefined);
        for (const c of h ? faulted : []) {
          const st = h[c].status;
          if (st === 'ok' && recovery.firstOkS[c] === undefined)
            recovery.firstOkS[c] = +((t - clearedAt) / 1000).toFixed(1);
          if (st === 'error' && last[c] === 'ok')
            recovery.flaps.push({
              cluster: c,
              atS: +((t - clearedAt) / 1000).toFixed(1),
              message: shortMessage(h[c].message),
            });
          last[c] = st;
        }
        await sleep(Math.max(0, 500 - (Date.now() - t)));
      }
    })();
    const recovered = await until(() => allOk(B.port), {
      timeoutMs: 40_000,
      intervalMs: 250,
    });
    results.recoveryS = recovered ? (Date.now() - clearedAt) / 1000 : undefined;
    const scenarioNow = await fleetProc.call('scenario');
    const matched = await until(
      async () => {
        const cmp = compareWithScenario(
          await storeState(db),
          scenarioNow,
          clusterNames,
        );
        return clusterNames.every(c => cmp[c].mismatches.length === 0) && cmp;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    results.recoveredToFleetS = matched
      ? (Date.now() - clearedAt) / 1000
      : undefined;
    const afterRecovery = await statusByCluster(
      B.port,
      headers,
      entityPaths,
      await targetsOf(),
    );
    check(
      'faults cleared: every cluster ok again, nothing stale, store equal to the fleet',
      Boolean(recovered) &&
        Boolean(matched) &&
        Object.values(afterRecovery.byCluster).every(c => c.stale === 0),
      `all ok after ${
        results.recoveryS?.toFixed(1) ?? '—'
      } s, equal to the fleet after ${
        results.recoveredToFleetS?.toFixed(1) ?? '—'
      } s`,
    );

    // ------------------------------------------------------------ identical answers
    const urls = [...entityPaths, ...deploymentPaths, '/api/gitops/clusters'];
    let identicalFirstTry = 0;
    let identical = 0;
    const differing = [];
    for (const u of urls) {
      let same = false;
      for (let attempt = 0; attempt < 5 && !same; attempt++) {
        const [a, b] = await Promise.all([
          get(A.port, u, headers),
          get(B.port, u, headers),
        ]);
        same = a.status === 200 && a.status === b.status && a.body === b.body;
        if (same && attempt === 0) identicalFirstTry++;
        if (!same) await sleep(300);
      }
      if (same) identical++;
      else differing.push(u);
    }
    results.identical = {
      urls: urls.length,
      identical,
      identicalFirstTry,
      differing,
    };
    check(
      'both replicas answer byte-identical bodies for the same requests',
      identical === urls.length,
      `${identical}/${urls.length} identical (${identicalFirstTry} on the first try; a retry is a session write landing between the two reads)`,
    );

    // Watch the recovered clusters a while longer (past the breaker's pause) before the kill.
    await sleep(Math.max(0, clearedAt + recoveryWatchMs() - Date.now()));
    monitoring = false;
    await monitorLoop;
    results.recovery = {
      ...recovery,
      watchedS: +((Date.now() - clearedAt) / 1000).toFixed(1),
    };
    check(
      'recovered clusters stay ok (no replica reports them failing again)',
      recovery.flaps.length === 0,
      `ok again after (s): ${Object.entries(recovery.firstOkS)
        .map(([c, t]) => `${c} ${t}`)
        .join(', ')}; back to error afterwards: ${
        recovery.flaps.length
          ? recovery.flaps
              .map(f => `${f.cluster} at ${f.atS} s (${f.message})`)
              .join('; ')
          : 'none'
      } (watched ${results.recovery.watchedS} s after the faults were cleared)`,
    );

    // ------------------------------------------------------------ sessions so far
    const sessionsOf = () => {
      const open = {};
      const list = [];
      for (const e of events) {
        if (e.task !== 'gitops-collect') continue;
        if (e.type === 'task-start')
          open[e.replica] = { replica: e.replica, start: e.at };
        if (e.type === 'task-end' && open[e.replica]) {
          list.push({ ...open[e.replica], end: e.at });
          delete open[e.replica];
        }
      }
      for (const o of Object.values(open)) list.push({ ...o, end: undefined });
      return list.sort((x, y) => x.start - y.start);
    };

    // ------------------------------------------------------------ kill the collecting replica
    // Wait for the next session, move the fleet a rollout step on (so the session has changes to
    // write), and SIGKILL that replica when it starts writing observations.
    const eventIndex = events.length;
    const startEvent = await until(
      () =>
        events
          .slice(eventIndex)
          .find(e => e.type === 'task-start' && e.task === 'gitops-collect'),
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    if (!startEvent)
      throw new Error('no collection session started within 30 s');
    const victim = replicas[startEvent.replica];
    const survivor = victim === A ? B : A;
    const beforeKill = await storeState(db);
    const beforeKillApi = await apiRecordIds(survivor.port, headers);
    const advanced = await fleetControl(fleet, 'POST', '/_fleet/advance', {
      ms: 45_000,
    });
    const writeEvent = await until(
      () =>
        events
          .slice(eventIndex)
          .find(
            e => e.type === 'observations-write' && e.replica === victim.name,
          ),
      { timeoutMs: 10_000, intervalMs: 2 },
    );
    const killAt = Date.now();
    await victim.proc.kill();
    const writesBeforeKill = events
      .slice(eventIndex)
      .filter(
        e => e.replica === victim.name && e.type === 'observations-write',
      ).length;
    log(
      `killed replica ${victim.name} (pid ${victim.pid}) ${(
        (killAt - startEvent.at) /
        1000
      ).toFixed(2)} s into its session, ${
        writeEvent
          ? `${killAt - writeEvent.at} ms after its first observations write`
          : 'before any write'
      }; fleet at ${advanced.elapsedMs} ms`,
    );
    // What the killed session had not written: the fleet moved on, the store did not (yet).
    await sleep(300);
    const scenarioAtKill = await fleetProc.call('scenario');
    const behindAtKill = Object.values(
      compareWithScenario(await storeState(db), scenarioAtKill, clusterNames),
    ).reduce((n, v) => n + v.mismatches.length, 0);
    // The survivor serves throughout; when does it run the next session? Meanwhile, how old is the
    // newest data the API serves, and does it say so (stale marks)?
    let serving = true;
    const takeoverProbes = {
      requests: 0,
      failures: 0,
      maxLastSuccessAgeS: 0,
      staleMarks: 0,
    };
    const servingLoop = (async () => {
      while (serving) {
        for (const u of [
          '/api/gitops/deployments',
          '/api/gitops/clusters',
          '/api/gitops/entity/component/default/podinfo/status',
        ]) {
          takeoverProbes.requests++;
          try {
            const r = await get(survivor.port, u, headers);
            if (r.status !== 200) {
              takeoverProbes.failures++;
              continue;
            }
            const body = JSON.parse(r.body);
            if (body.clusters && body.clusters[0]?.sources) {
              const t = Date.now();
              for (const c of body.clusters)
                for (const h of c.sources)
                  if (h.lastSuccessAt)
                    takeoverProbes.maxLastSuccessAgeS = Math.max(
                      takeoverProbes.maxLastSuccessAgeS,
                      (t - Date.parse(h.lastSuccessAt)) / 1000,
                    );
            }
            if (body.records)
              takeoverProbes.staleMarks += body.records.filter(
                x => x.stale,
              ).length;
          } catch {
            takeoverProbes.failures++;
          }
        }
        await sleep(500);
      }
    })();
    const takeoverEvent = await until(
      () =>
        events.find(
          e =>
            e.at > killAt &&
            e.type === 'task-start' &&
            e.task === 'gitops-collect' &&
            e.replica === survivor.name,
        ),
      { timeoutMs: opts.takeoverLimit * 1000, intervalMs: 100 },
    );
    const takeoverS = takeoverEvent
      ? (takeoverEvent.at - killAt) / 1000
      : undefined;
    log(
      takeoverEvent
        ? `replica ${survivor.name} took over ${takeoverS.toFixed(
            1,
          )} s after the kill`
        : `replica ${survivor.name} did not take over within ${opts.takeoverLimit} s`,
    );
    // Its session lists every cluster: wait until each has reported on the survivor.
    const reportedAfter = await until(
      () => {
        const seen = new Set(
          events
            .filter(
              e =>
                takeoverEvent &&
                e.at >= takeoverEvent.at &&
                e.type === 'health-write' &&
                e.replica === survivor.name,
            )
            .map(e => e.target),
        );
        return clusterNames.every(c => seen.has(`kubernetes:${c}`));
      },
      { timeoutMs: takeoverEvent ? 20_000 : 0, intervalMs: 100 },
    );
    await sleep(1000);
    serving = false;
    await servingLoop;
    const scenarioAfterKill = await fleetProc.call('scenario');
    const afterTakeover = await storeState(db);
    const afterTakeoverApi = await apiRecordIds(survivor.port, headers);
    const lostByKill = [...beforeKill.recordIds].filter(
      id => !afterTakeover.recordIds.has(id),
    );
    const lostByKillApi = [...beforeKillApi].filter(
      id => !afterTakeoverApi.has(id),
    );
    const fleetCmp = compareWithScenario(
      afterTakeover,
      scenarioAfterKill,
      clusterNames,
    );
    const tasksRow = await db('backstage_backend_tasks__tasks')
      .where({ id: 'gitops-collect' })
      .first();
    results.kill = {
      victim: victim.name,
      survivor: survivor.name,
      intoSessionS: (killAt - startEvent.at) / 1000,
      afterFirstWriteMs: writeEvent ? killAt - writeEvent.at : undefined,
      observationWritesBeforeKill: writesBeforeKill,
      fleetAdvancedToMs: advanced.elapsedMs,
      takeoverS,
      survivorReportedAll: Boolean(reportedAfter),
      survivorServed: takeoverProbes,
      objectsBehindTheFleetAfterKill: behindAtKill,
      recordsBefore: beforeKill.recordIds.size,
      recordsAfter: afterTakeover.recordIds.size,
      lost: lostByKill,
      lostApi: lostByKillApi,
      observationsWithoutRecord: afterTakeover.observationsWithoutRecord,
      recordsWithoutObservation: afterTakeover.recordsWithoutObservation,
      bindingsWithoutRecord: afterTakeover.bindingsWithoutRecord,
      hashMismatches: hashMismatches(afterTakeover, recordHash),
      perCluster: Object.fromEntries(
        Object.entries(fleetCmp).map(([c, v]) => [
          c,
          {
            expected: v.expected,
            stored: v.stored,
            mismatches: v.mismatches.length,
          },
        ]),
      ),
      mismatchSamples: Object.values(fleetCmp)
        .flatMap(v => v.mismatches)
        .slice(0, 10),
      taskRowLastError: tasksRow?.last_run_error_json || undefined,
      logLines: events
        .filter(e => e.type === 'log' && e.at >= killAt && e.level !== 'debug')
        .map(
          e =>
            `[${e.replica} ${e.level} +${((e.at - killAt) / 1000).toFixed(
              1,
            )}s] ${e.message}`,
        ),
    };
    check(
      'the other replica takes over after the collecting one is killed mid-session',
      takeoverEvent && reportedAfter && takeoverProbes.failures === 0,
      takeoverEvent
        ? `${victim.name} killed ${results.kill.intoSessionS.toFixed(
            1,
          )} s into its session; ${
            survivor.name
          } ran the next session ${takeoverS.toFixed(
            1,
          )} s later (task timeout ${
            (COLLECTION.sessionMs + 2 * COLLECTION.requestTimeoutMs + 30_000) /
            1000
          } s + scheduler janitor, every 60 s); ${
            takeoverProbes.requests
          } requests to ${survivor.name} meanwhile, ${
            takeoverProbes.failures
          } failed`
        : `no session on ${survivor.name} within ${opts.takeoverLimit} s`,
    );
    check(
      'records lost by the kill: 0, no half-written rows, store equal to the fleet',
      lostByKill.length === 0 &&
        lostByKillApi.length === 0 &&
        afterTakeover.observationsWithoutRecord === 0 &&
        afterTakeover.recordsWithoutObservation === 0 &&
        afterTakeover.bindingsWithoutRecord === 0 &&
        (results.kill.hashMismatches ?? 0) === 0 &&
        Object.values(fleetCmp).every(
          v => v.expected === v.stored && v.mismatches.length === 0,
        ),
      `${beforeKill.recordIds.size} records before the kill, ${
        afterTakeover.recordIds.size
      } after the takeover; lost ${lostByKill.length}; orphans ${
        afterTakeover.observationsWithoutRecord
      }/${afterTakeover.recordsWithoutObservation}/${
        afterTakeover.bindingsWithoutRecord
      }; hash mismatches ${
        results.kill.hashMismatches ?? 'n/a'
      }; objects differing from the fleet ${Object.values(fleetCmp).reduce(
        (n, v) => n + v.mismatches.length + Math.abs(v.expected - v.stored),
        0,
      )}`,
    );

    // ------------------------------------------------------------ sessions, replica by replica
    const sessions = sessionsOf().map(s => ({
      ...s,
      end: s.end ?? (s.replica === victim.name ? killAt : Date.now()),
      killed: s.end === undefined && s.replica === victim.name,
    }));
    let overlaps = 0;
    for (let i = 0; i < sessions.length; i++)
      for (let j = i + 1; j < sessions.length; j++)
        if (
          sessions[i].replica !== sessions[j].replica &&
          sessions[j].start < sessions[i].end &&
          sessions[i].start < sessions[j].end
        )
          overlaps++;
    // A cluster reported by a replica that had no session open: would be two collectors at once.
    const strayWrites = events.filter(
      e =>
        e.type === 'health-write' &&
        !sessions.some(
          s =>
            s.replica === e.replica && e.at >= s.start - 5 && e.at <= s.end + 5,
        ),
    ).length;
    results.sessions = {
      total: sessions.length,
      byReplica: Object.fromEntries(
        ['A', 'B'].map(r => [r, sessions.filter(s => s.replica === r).length]),
      ),
      overlaps,
      strayWrites,
      gapsS: summarize(
        sessions.slice(1).map((s, i) => (s.start - sessions[i].end) / 1000),
      ),
      durationS: summarize(
        sessions.filter(s => !s.killed).map(s => (s.end - s.start) / 1000),
      ),
      timeline: sessions.map(s => ({
        replica: s.replica,
        startS: +rel(s.start).toFixed(2),
        endS: +rel(s.end).toFixed(2),
        killed: s.killed || undefined,
      })),
    };
    check(
      'one collection per cycle: sessions never overlap across replicas, no writes outside a session',
      overlaps === 0 && strayWrites === 0,
      `${sessions.length} sessions (A ${results.sessions.byReplica.A}, B ${results.sessions.byReplica.B}), ${overlaps} overlapping, ${strayWrites} source-health writes outside the writer's session`,
    );
    results.warnings = events
      .filter(
        e => e.type === 'log' && (e.level === 'warn' || e.level === 'error'),
      )
      .map(
        e => `[${e.replica} ${e.level} ${rel(e.at).toFixed(1)}s] ${e.message}`,
      );
  } finally {
    await stopAll();
    await db?.destroy();
    await admin
      .raw(`drop database if exists ${database}`)
      .catch(e => log(`drop database: ${e}`));
    await admin.destroy();
    agent.destroy();
  }

  results.totalSeconds = (Date.now() - T0) / 1000;
  results.machine.loadAverageAtEnd = loadavg();
  fs.writeFileSync(opts.json, JSON.stringify(results, null, 2));
  const figures = report(results);
  process.stdout.write(figures);
  if (opts.docs)
    writeDoc(figures, {
      doc: DOC,
      start: FIGURES_START,
      end: FIGURES_END,
      log,
    });
  log(
    `done in ${results.totalSeconds.toFixed(0)} s; raw results in ${opts.json}`,
  );
  return results.checks.every(c => c.ok) ? 0 : 1;
}

main().then(
  code => process.exit(code),
  e => {
    process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
    process.exit(2);
  },
);
