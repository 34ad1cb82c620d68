#!/usr/bin/env node
'use strict';
/*
 * Benchmark of the GitOps status backend against a scaled demo fleet, with a fan-out baseline
 * measured in the same run. See test/bench/README.md and docs/performance.md.
 *
 *   node test/bench/run.js [options]
 *
 *   --postgres <url>            store on PostgreSQL (a database is created in it and dropped after)
 *                               instead of SQLite in memory, e.g. postgresql://postgres@127.0.0.1:5432/postgres
 *   --duration <s>              entity status and baseline load duration (10)
 *   --connections <n>           autocannon connections (10)
 *   --deployments-duration <s>  per deployments variant and per page-view series (3)
 *   --clusters <n>              fleet clusters (50)
 *   --objects-per-cluster <n>   filler objects per cluster (200)
 *   --latency-ms <n>            fleet latency per upstream request (20)
 *   --profile                   add a profiled collection cycle and a profiled status load
 *   --profile-initial           profile the initial collection cycle (its CPU then includes the profiler)
 *   --stock-catalog             use catalogServiceMock unchanged (getEntityByRef rebuilds a map per call)
 *   --sweep <n,n,…>             entity status p50/p99 at these connection counts, 5 s each (1,2,4,10)
 *   --idle <s>                  idle time after the cycles before memory is read again (30; 0: skip)
 *   --status-only               stop after the entity status measurements (quick iteration; no report)
 *   --json <file>               raw results (default: a file in the OS temp folder)
 *
 * Processes: this one (driver + autocannon), the fleet, the backend with the real plugin, the
 * baseline server; each is its own Node process, started and stopped here by pid.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const { startChild } = require('./lib/ipc');
const { summarize, ms, mb } = require('./lib/stats');
const { FILLER_SERVICE_IDS, serviceName, teamOf } = require('./lib/entities');

const REPO_ROOT = path.resolve(__dirname, '../..');

// ---------------------------------------------------------------- options

function parseArgs(argv) {
  const o = {
    postgres: undefined,
    duration: 10,
    connections: 10,
    clusters: 50,
    objectsPerCluster: 200,
    latencyMs: 20,
    profile: false,
    profileInitial: false,
    stockCatalog: false,
    json: path.join(os.tmpdir(), `gitops-bench-${Date.now()}.json`),
    deploymentsDuration: 3,
    statusOnly: false,
    idleSeconds: 30,
    sweep: [1, 2, 4, 10],
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
      case '--duration':
        o.duration = Number(next());
        break;
      case '--connections':
        o.connections = Number(next());
        break;
      case '--clusters':
        o.clusters = Number(next());
        break;
      case '--objects-per-cluster':
        o.objectsPerCluster = Number(next());
        break;
      case '--latency-ms':
        o.latencyMs = Number(next());
        break;
      case '--deployments-duration':
        o.deploymentsDuration = Number(next());
        break;
      case '--profile':
        o.profile = true;
        break;
      case '--profile-initial':
        o.profileInitial = true;
        break;
      case '--stock-catalog':
        o.stockCatalog = true;
        break;
      case '--idle':
        o.idleSeconds = Number(next());
        break;
      case '--status-only':
        o.statusOnly = true;
        break;
      case '--sweep':
        o.sweep = next()
          .split(',')
          .filter(Boolean)
          .map(n => {
            const c = Number(n);
            if (!Number.isInteger(c) || c < 1)
              throw new Error(`--sweep: ${n} is not a connection count`);
            return c;
          });
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

/** The commit measured, and whether the plugin's folders had uncommitted changes. */
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
      {
        cwd: REPO_ROOT,
      },
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

const log = message =>
  process.stderr.write(`[bench ${process.uptime().toFixed(1)}s] ${message}\n`);

// ---------------------------------------------------------------- load generation

/**
 * autocannon over loopback. Latencies are taken from autocannon's per-response event (float ms)
 * rather than its histogram (integer ms), so sub-millisecond figures stay visible.
 */
function load({ port, headers, paths, connections, duration, amount }) {
  let i = 0;
  const latencies = [];
  const statusCodes = {};
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections,
        ...(amount ? { amount } : { duration }),
        headers,
        timeout: 30,
        requests: [
          {
            method: 'GET',
            setupRequest: req => ({ ...req, path: paths(i++) }),
          },
        ],
      },
      (err, result) => {
        if (err) return reject(err);
        const s = summarize(latencies);
        resolve({
          ...s,
          rps: s.n / result.duration,
          bytesPerResponse: s.n ? result.throughput.total / s.n : 0,
          durationS: result.duration,
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          statusCodes,
          autocannon: {
            p50: result.latency.p50,
            p99: result.latency.p99,
            rpsMean: result.requests.average,
          },
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      statusCodes[statusCode] = (statusCodes[statusCode] || 0) + 1;
    });
  });
}

/** One GET on the backend, its JSON body. */
function getJson({ port, headers, path: urlPath }) {
  const http = require('node:http');
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath, headers }, res => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', chunk => {
          body += chunk;
        });
        res.on('end', () => {
          try {
            resolve(JSON.parse(body));
          } catch (e) {
            reject(e);
          }
        });
      })
      .on('error', reject);
  });
}

/**
 * Page views replayed as the frontend issues them: every URL of one view in parallel, the view's time
 * is until the last answer. Runs views one after another for `durationS` (at least one view).
 */
async function pageViews({ port, headers, urls, durationS, beforeEach }) {
  const http = require('node:http');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const get = path =>
    new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path, headers, agent }, res => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        })
        .on('error', reject);
    });
  const times = [];
  const codes = {};
  const until = performance.now() + durationS * 1000;
  do {
    if (beforeEach) await beforeEach();
    const t0 = performance.now();
    for (const code of await Promise.all(urls.map(get)))
      codes[code] = (codes[code] || 0) + 1;
    times.push(performance.now() - t0);
  } while (performance.now() < until && times.length < 500);
  agent.destroy();
  return {
    ...summarize(times),
    requestsPerView: urls.length,
    statusCodes: codes,
  };
}

// ---------------------------------------------------------------- the run

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const machine = {
    date: new Date().toISOString(),
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model,
    memoryGiB: +(os.totalmem() / 1024 ** 3).toFixed(1),
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    database: opts.postgres ? 'postgresql' : 'sqlite',
    loadAverageAtStart: os.loadavg().map(x => +x.toFixed(2)),
    commit: gitDescribe(),
    // Anything that changes how the backend runs is part of the result (an allocator, flags).
    backendEnv: process.env.BENCH_BACKEND_ENV || undefined,
    backendExecArgv: process.env.BENCH_BACKEND_EXECARGV || undefined,
  };
  log(`machine ${JSON.stringify(machine)}`);
  const children = [];
  const stopAll = async () => {
    for (const c of children.reverse()) await c.stop().catch(() => undefined);
  };
  process.on('SIGINT', () => stopAll().then(() => process.exit(130)));

  const results = {
    machine,
    options: { ...opts, postgres: opts.postgres ? '(set)' : undefined },
  };
  try {
    // Fleet
    const fleetProc = startChild(path.join(__dirname, 'fleet-child.js'), {
      name: 'fleet',
      cwd: REPO_ROOT,
    });
    children.push(fleetProc);
    const fleet = await fleetProc.call('start', {
      clusters: opts.clusters,
      objectsPerCluster: opts.objectsPerCluster,
      latencyMs: opts.latencyMs,
    });
    results.fleet = {
      clusters: fleet.clusters.length,
      objects: fleet.objects,
      latencyMs: opts.latencyMs,
      startMs: fleet.startMs,
    };
    log(
      `fleet: ${fleet.clusters.length} clusters, ${fleet.objects} objects, ${opts.latencyMs} ms latency (pid ${fleetProc.pid})`,
    );
    const upstream = async () => ({
      total: await fleetProc.call('requestCount'),
      watch: await fleetProc.call('requestCount', { watch: true }),
    });

    // Backend with the real plugin
    // BENCH_BACKEND_EXECARGV: extra Node flags for the backend (e.g. --trace-gc);
    // BENCH_BACKEND_ENV: extra environment for the backend only, as JSON (e.g. an LD_PRELOAD).
    // Both apply to the restarted backend too.
    const backendOptions = {
      cwd: REPO_ROOT,
      execArgv: [
        '--expose-gc',
        ...(process.env.BENCH_BACKEND_EXECARGV ?? '')
          .split(' ')
          .filter(Boolean),
      ],
      env: JSON.parse(process.env.BENCH_BACKEND_ENV || '{}'),
    };
    const backendProc = startChild(path.join(__dirname, 'backend-child.js'), {
      name: 'backend',
      ...backendOptions,
    });
    children.push(backendProc);
    const backend = await backendProc.call('start', {
      fleet,
      postgres: opts.postgres,
      stockCatalog: opts.stockCatalog,
    });
    results.backend = backend;
    log(
      `backend on :${backend.port} (pid ${backendProc.pid}), ${backend.entities} catalog entities, ${backend.database}`,
    );
    const headers = { Authorization: backend.authHeader };

    results.memory = { empty: await backendProc.call('memory') };
    results.memory.empty.db = await backendProc.call('dbSize');
    if (opts.idleSeconds > 0) {
      await new Promise(r => setTimeout(r, opts.idleSeconds * 1000));
      results.memory.emptyIdle = await backendProc.call('memory', {
        gc: false,
      });
      log(
        `backend memory at 0 records: RSS ${mb(
          results.memory.empty.rss,
        )} MB after GC, ${mb(results.memory.emptyIdle.rss)} MB after ${
          opts.idleSeconds
        } s idle`,
      );
    }

    // Collection cycles
    const targets = fleet.clusters.length;
    const cycle = async (label, extra = {}) => {
      await fleetProc.call('reset');
      const r = await backendProc.call('collect', { targets, ...extra });
      r.upstream = await upstream();
      r.label = label;
      log(
        `cycle ${label}: ${ms(r.reportedMs)} ms to all ${
          r.targetsReported
        } clusters reported, ` +
          `CPU ${ms(r.cpuUserMs + r.cpuSystemMs)} ms, store rows written ${
            r.storeWrites
          }, upstream ${r.upstream.total} (${r.upstream.watch} watch), ` +
          `${r.tlsConnections.opened} TLS connections opened (${r.tlsConnections.resumed} resumed)`,
      );
      return r;
    };
    results.cycles = {};
    results.cycles.initial = await cycle(
      `initial (empty store)${opts.profileInitial ? ', profiled' : ''}`,
      { profile: opts.profileInitial },
    );
    results.counts = await backendProc.call('counts');
    results.memory.loaded = await backendProc.call('memory');
    results.memory.loaded.db = await backendProc.call('dbSize');
    // BENCH_HEAP_SNAPSHOT=<file>: the backend's heap after the initial cycle (diagnostics).
    if (process.env.BENCH_HEAP_SNAPSHOT)
      await backendProc.call('heapSnapshot', {
        file: process.env.BENCH_HEAP_SNAPSHOT,
      });
    const timeline = (results.memory.timeline = []);
    const mark = async label =>
      timeline.push({ label, ...(await backendProc.call('memory')) });
    results.cycles.unchanged = await cycle(
      'unchanged (fleet clock not advanced)',
    );
    // Advance the fleet into the first rollout: commit 1 reaches `dev` at 45 s (see the fleet's
    // timeline); 45.2 s moves dev's GitRepository, stage-0 Kustomizations and the Applications
    // deploying to dev; 0.4 s later dev's stage-1 Kustomizations and HelmReleases.
    results.advance1 = await fleetProc.call('advance', { ms: 45_200 });
    results.cycles.changedA = await cycle(
      `${results.advance1.changed} objects changed`,
    );
    results.advance2 = await fleetProc.call('advance', { ms: 400 });
    results.cycles.changedB = await cycle(
      `${results.advance2.changed} objects changed`,
    );
    await mark('after 4 cycles');
    // What a backend between collections holds: V8's memory reducer and the allocator give pages
    // back only once the process has been idle for a while, which a forced GC does not do.
    if (opts.idleSeconds > 0) {
      await new Promise(r => setTimeout(r, opts.idleSeconds * 1000));
      results.memory.loadedIdle = await backendProc.call('memory', {
        gc: false,
      });
      timeline.push({
        label: `after ${opts.idleSeconds} s idle (no forced GC)`,
        ...results.memory.loadedIdle,
      });
      log(
        `backend memory at ${results.counts.records} records after ${
          opts.idleSeconds
        } s idle: RSS ${mb(results.memory.loadedIdle.rss)} MB, heap ${mb(
          results.memory.loadedIdle.heapUsed,
        )} MB`,
      );
      await mark(`after ${opts.idleSeconds} s idle, then GC`);
    }
    if (opts.profile) {
      results.cycles.profiled = await cycle('unchanged, profiled', {
        profile: true,
      });
      await mark('after the profiled cycle');
    }

    // A restart on PostgreSQL: the store keeps every record, a new backend process starts with
    // empty source caches and runs its first session (what every deploy costs).
    const restart = async () => {
      const database = await backendProc.call('keepDatabase');
      await backendProc.stop();
      const restarted = startChild(path.join(__dirname, 'backend-child.js'), {
        name: 'backend (restarted)',
        ...backendOptions,
      });
      children.push(restarted);
      await restarted.call('start', {
        fleet,
        postgres: opts.postgres,
        stockCatalog: opts.stockCatalog,
        reuseDatabase: database,
      });
      await fleetProc.call('reset');
      const r = await restarted.call('collect', {
        targets,
        profile: opts.profile,
      });
      r.upstream = await upstream();
      r.label = 'first session after a restart (store full, caches empty)';
      results.cycles.restart = r;
      log(
        `cycle ${r.label}: ${ms(r.reportedMs)} ms to all ${
          r.targetsReported
        } clusters reported, CPU ${ms(
          r.cpuUserMs + r.cpuSystemMs,
        )} ms, store rows written ${r.storeWrites}`,
      );
    };

    // Entity status endpoint
    const statusPath = i =>
      `/api/gitops/entity/component/default/${serviceName(
        i % FILLER_SERVICE_IDS,
      )}/status`;
    await load({
      port: backend.port,
      headers,
      paths: statusPath,
      connections: opts.connections,
      duration: 1,
    });
    await fleetProc.call('reset');
    results.status = await load({
      port: backend.port,
      headers,
      paths: statusPath,
      connections: opts.connections,
      duration: opts.duration,
    });
    results.status.upstream = await upstream();
    await backendProc.call('quiesce');
    if (opts.profile) {
      await backendProc.call('profileStart');
      await backendProc.call('heapSamplingStart');
      await load({
        port: backend.port,
        headers,
        paths: statusPath,
        connections: opts.connections,
        duration: 3,
      });
      results.status.profile = await backendProc.call('profileStop');
      await backendProc.call('heapSamplingStop');
      await backendProc.call('quiesce');
    }
    await mark('after the status load');
    results.status.serial = await load({
      port: backend.port,
      headers,
      paths: i => statusPath(i * 7 + 3),
      connections: 1,
      amount: 500,
    });
    results.status.upstreamAfterSerial = await upstream();
    await backendProc.call('quiesce');
    log(
      `status: p50 ${ms(results.status.p50)} ms, p99 ${ms(
        results.status.p99,
      )} ms, ${results.status.rps.toFixed(0)} req/s, ` +
        `upstream during load ${results.status.upstream.total}`,
    );

    // Entity status at rising concurrency: where queueing starts on this machine.
    results.statusSweep = [];
    for (const connections of opts.sweep) {
      const r = await load({
        port: backend.port,
        headers,
        paths: i => statusPath(i * 13 + connections),
        connections,
        duration: 5,
      });
      await backendProc.call('quiesce');
      results.statusSweep.push({ connections, ...r });
      log(
        `status at ${connections} connection(s): p50 ${ms(r.p50)} ms, p99 ${ms(
          r.p99,
        )} ms, ${r.rps.toFixed(0)} req/s, ${(r.bytesPerResponse / 1024).toFixed(
          1,
        )} KiB per response`,
      );
    }
    if (opts.statusOnly) {
      if (opts.postgres) await restart();
      fs.writeFileSync(opts.json, JSON.stringify(results, null, 2));
      return;
    }

    // Deployments endpoint
    const deployments = {
      'no filter': '/api/gitops/deployments',
      'state=error': '/api/gitops/deployments?state=error',
      'cluster=cluster-07': '/api/gitops/deployments?cluster=cluster-07',
      [`owner=${teamOf(
        3,
      )}`]: `/api/gitops/deployments?owner=${encodeURIComponent(
        `group:default/${teamOf(3)}`,
      )}`,
    };
    results.deployments = {};
    for (const [label, url] of Object.entries(deployments)) {
      await backendProc.call('traceQueries');
      const serial = await load({
        port: backend.port,
        headers,
        paths: () => url,
        connections: 1,
        duration: opts.deploymentsDuration,
      });
      await backendProc.call('quiesce');
      serial.slowestQueries = (
        await backendProc.call('traceQueries', { stop: true })
      )
        .slice(0, 3)
        .map(q => ({ ...q, msPerRequest: q.ms / Math.max(1, serial.n) }));
      // Under load only when one request is fast enough for the load to finish some in time.
      const loaded =
        serial.p50 <= 250
          ? await load({
              port: backend.port,
              headers,
              paths: () => url,
              connections: opts.connections,
              duration: opts.deploymentsDuration,
            })
          : undefined;
      // Requests still queued when autocannon stops must not run into the next measurement.
      const drained = await backendProc.call('quiesce');
      results.deployments[label] = {
        serial,
        loaded,
        drainMs: drained.waitedMs,
      };
      await mark(`after deployments ${label}`);
      log(
        `deployments ${label}: serial p50 ${ms(serial.p50)} p99 ${ms(
          serial.p99,
        )} ms (${serial.n} requests)` +
          (loaded
            ? `; loaded p99 ${ms(loaded.p99)} ms, ${loaded.rps.toFixed(
                0,
              )} req/s`
            : '; not loaded (too slow)'),
      );
    }
    // Deployments page view as plugins/gitops/src/components/DeploymentsPage loads it: the table
    // (limit 50), whose answer carries the state chart's counts (`stateCounts`) when the backend
    // sends them, so one request; otherwise the chart asks once per state with limit 1
    // (chartData.ts loadStateChart), 7 requests.
    const probe = await getJson({
      port: backend.port,
      headers,
      path: '/api/gitops/deployments?limit=1',
    });
    results.stateCountsInResponse = Boolean(probe.stateCounts);
    const STATES = [
      'ok',
      'progressing',
      'warning',
      'error',
      'suspended',
      'unknown',
    ];
    const pageUrls = extra => [
      `/api/gitops/deployments?limit=50${extra}`,
      ...(results.stateCountsInResponse
        ? []
        : STATES.map(
            st => `/api/gitops/deployments?state=${st}&limit=1${extra}`,
          )),
    ];
    // What counting states adds to one deployments request, timed on the store's database.
    results.stateCounts = {
      'no filter': await backendProc.call('stateCounts', { filter: {} }),
      [`owner=${teamOf(3)}`]: await backendProc.call('stateCounts', {
        filter: { owner: [`group:default/${teamOf(3)}`] },
      }),
    };
    for (const [label, t] of Object.entries(results.stateCounts))
      log(
        `state counts (cluster × state, tool × state) ${label}: p50 ${ms(
          t.p50,
        )} ms, max ${ms(t.max)} ms over ${t.rows} rows`,
      );
    results.deploymentsPage = {};
    const owner3 = `&owner=${encodeURIComponent(`group:default/${teamOf(3)}`)}`;
    // "after a write": the summary version is moved before each view, as a collection that changes
    // what is counted does, so the total, facets and state counts are computed again.
    for (const [label, extra, cold] of [
      ['no filter', '', false],
      [`owner=${teamOf(3)}`, owner3, false],
      ['no filter, after a write', '', true],
      [`owner=${teamOf(3)}, after a write`, owner3, true],
    ]) {
      const v = await pageViews({
        port: backend.port,
        headers,
        urls: pageUrls(extra),
        durationS: opts.deploymentsDuration,
        beforeEach: cold
          ? () => backendProc.call('moveSummaryVersion')
          : undefined,
      });
      await backendProc.call('quiesce');
      results.deploymentsPage[label] = v;
      log(
        `deployments page view ${label}: p50 ${ms(v.p50)} ms, p99 ${ms(
          v.p99,
        )} ms (${v.n} views of ${v.requestsPerView} requests)`,
      );
    }
    await backendProc.call('quiesce');
    results.memory.afterLoad = await backendProc.call('memory');

    // Baseline: fan-out on every view, same fleet, same load settings
    const baselineProc = startChild(
      path.join(__dirname, 'baseline-server.js'),
      {
        name: 'baseline',
        cwd: REPO_ROOT,
      },
    );
    children.push(baselineProc);
    const baseline = await baselineProc.call('start', {
      token: fleet.token,
      caPem: fleet.caPem,
      clusters: fleet.clusters,
    });
    const baselinePath = i =>
      `/entity/component/default/${serviceName(i % FILLER_SERVICE_IDS)}/status`;
    await load({
      port: baseline.port,
      paths: baselinePath,
      connections: 2,
      amount: 10,
    });
    await fleetProc.call('reset');
    const serialViews = 20;
    const baselineSerial = await load({
      port: baseline.port,
      paths: i => baselinePath(i * 7 + 3),
      connections: 1,
      amount: serialViews,
    });
    const serialUpstream = await upstream();
    await fleetProc.call('reset');
    const viewsBefore = (await baselineProc.call('counters')).views;
    const baselineLoad = await load({
      port: baseline.port,
      paths: baselinePath,
      connections: opts.connections,
      duration: opts.duration,
    });
    const loadUpstream = await upstream();
    const counters = await baselineProc.call('counters');
    results.baseline = {
      ...baseline,
      ...baselineLoad,
      serial: baselineSerial,
      upstreamPerView: serialUpstream.total / serialViews,
      upstreamPerViewUnderLoad:
        loadUpstream.total / (counters.views - viewsBefore),
      upstreamErrors: counters.upstreamErrors,
    };
    log(
      `baseline: p50 ${ms(baselineLoad.p50)} ms, p99 ${ms(
        baselineLoad.p99,
      )} ms, ${baselineLoad.rps.toFixed(1)} req/s, ` +
        `${results.baseline.upstreamPerView} upstream requests per view`,
    );
    if (opts.postgres) await restart();
  } finally {
    await stopAll();
  }
  results.totalSeconds = (Date.now() - started) / 1000;
  results.machine.loadAverageAtEnd = os.loadavg().map(x => +x.toFixed(2));
  fs.writeFileSync(opts.json, JSON.stringify(results, null, 2));
  process.stdout.write(report(results));
  log(
    `done in ${results.totalSeconds.toFixed(0)} s; raw results in ${opts.json}`,
  );
}

// ---------------------------------------------------------------- report

function verdict(ok) {
  return ok ? 'met' : '**missed**';
}

function report(r) {
  const s = r.status;
  const b = r.baseline;
  const c = r.cycles;
  const cpu = x => x.cpuUserMs + x.cpuSystemMs;
  const stateWrites = x =>
    [
      'gitops_observations',
      'gitops_records',
      'gitops_entity_bindings',
      'gitops_entities',
    ]
      .map(t => x.tables[t])
      .reduce((n, t) => n + t.inserted + t.updated + t.deleted, 0);
  const growth = {
    rss: r.memory.loaded.rss - r.memory.empty.rss,
    heap: r.memory.loaded.heapUsed - r.memory.empty.heapUsed,
  };
  const p99Ratio = b.p99 / s.p99;
  const rpsRatio = s.rps / b.rps;
  const serialRatio = b.serial.p50 / s.serial.p50;
  const lines = [];
  const row = (...cells) => lines.push(`| ${cells.join(' | ')} |`);
  lines.push('');
  lines.push(
    `GitOps status backend, ${r.fleet.clusters} clusters × ${r.options.objectsPerCluster} filler objects = ${r.fleet.objects} objects, ` +
      `${r.fleet.latencyMs} ms simulated upstream latency, ${r.backend.entities} catalog entities, ${r.backend.database}`,
  );
  lines.push(
    `${r.machine.date} · ${r.machine.nproc} CPUs (${r.machine.cpu}) · ${r.machine.memoryGiB} GiB · Node ${r.machine.node} · ${r.machine.kernel} · ` +
      `load average ${r.machine.loadAverageAtStart.join(
        ' ',
      )} at start, ${r.machine.loadAverageAtEnd.join(' ')} at end · commit ${
        r.machine.commit
      }` +
      (r.machine.backendEnv ? ` · backend env ${r.machine.backendEnv}` : '') +
      (r.machine.backendExecArgv
        ? ` · backend flags ${r.machine.backendExecArgv}`
        : ''),
  );
  lines.push('');
  row('measure', 'ours (store)', 'fan-out baseline', 'target', 'verdict');
  row('---', '---', '---', '---', '---');
  row(
    `entity status, ${r.options.connections} connections ${r.options.duration} s: p50 / p99`,
    `${ms(s.p50)} / ${ms(s.p99)} ms`,
    `${ms(b.p50)} / ${ms(b.p99)} ms`,
    'p99 ≤ 10 ms',
    verdict(s.p99 <= 10),
  );
  row(
    'entity status: requests/s',
    `${s.rps.toFixed(0)} (${s.n} requests, ${s.non2xx} non-2xx, ${
      s.errors
    } errors)`,
    `${b.rps.toFixed(1)} (${b.n} requests, ${b.non2xx} non-2xx, ${
      b.errors
    } errors)`,
    '',
    '',
  );
  row(
    'entity status: ours vs baseline',
    `p99 ${p99Ratio.toFixed(0)}× lower, ${rpsRatio.toFixed(0)}× the requests/s`,
    '',
    '≥ 50× faster',
    verdict(p99Ratio >= 50 && rpsRatio >= 50),
  );
  row(
    'entity status, 1 connection: p50 / p99',
    `${ms(s.serial.p50)} / ${ms(s.serial.p99)} ms (${s.serial.n} views)`,
    `${ms(b.serial.p50)} / ${ms(b.serial.p99)} ms (${b.serial.n} views)`,
    '',
    `${serialRatio.toFixed(0)}× (p50)`,
  );
  row(
    'upstream requests per page view',
    `${s.upstream.total} in ${s.n + s.serial.n} views`,
    `${b.upstreamPerView} (${b.kinds.length} kinds × ${r.fleet.clusters} clusters)`,
    '0',
    verdict(s.upstream.total === 0 && s.upstreamAfterSerial.total === 0),
  );
  for (const [label, d] of Object.entries(r.deployments)) {
    row(
      `deployments ${label}: p50 / p99, 1 connection · ${r.options.connections} connections`,
      `${ms(d.serial.p50)} / ${ms(d.serial.p99)} ms (${d.serial.n} req) · ` +
        (d.loaded
          ? `${ms(d.loaded.p50)} / ${ms(
              d.loaded.p99,
            )} ms, ${d.loaded.rps.toFixed(0)} req/s`
          : 'not run: one request > 250 ms'),
      '',
      '',
      '',
    );
  }
  for (const [label, t] of Object.entries(r.stateCounts ?? {})) {
    row(
      `state chart counts (cluster × state, tool × state), ${label}: p50 / max`,
      `${ms(t.p50)} / ${ms(t.max)} ms (SQL only, ${t.rows} rows)`,
      '',
      '',
      '',
    );
  }
  for (const [label, v] of Object.entries(r.deploymentsPage ?? {})) {
    row(
      `deployments page view ${label} (${
        v.requestsPerView === 1
          ? '1 request: table with state counts'
          : `${v.requestsPerView} requests in parallel: table + state chart`
      }): p50 / p99`,
      `${ms(v.p50)} / ${ms(v.p99)} ms (${v.n} views)`,
      '',
      '',
      '',
    );
  }
  for (const [key, x] of Object.entries(c)) {
    row(
      `collection cycle, ${x.label}: wall (all clusters reported) / CPU`,
      `${ms(x.reportedMs)} ms / ${ms(cpu(x))} ms (ELU ${(
        x.eventLoopUtilization * 100
      ).toFixed(0)} %)`,
      '',
      x.cpuProfile ? '(profiler on)' : '≤ 2,000 ms CPU',
      x.cpuProfile ? '' : verdict(cpu(x) <= 2000),
    );
    row(
      `collection cycle, ${x.label}: rows written`,
      `${stateWrites(x)} state rows (store's count ${x.storeWrites}, ${
        x.recordsChanged
      } records changed) + ${
        x.tables.gitops_source_health.inserted +
        x.tables.gitops_source_health.updated
      } source-health rows`,
      '',
      key === 'unchanged' || key === 'restart' ? '0 for unchanged objects' : '',
      key === 'unchanged' || key === 'restart'
        ? verdict(stateWrites(x) === 0 && x.storeWrites === 0)
        : '',
    );
    if (x.tlsConnections)
      row(
        `collection cycle, ${x.label}: TLS connections opened (resumed sessions)`,
        `${x.tlsConnections.opened} (${x.tlsConnections.resumed})`,
        '',
        '',
        '',
      );
    const otherWrites = Object.entries(x.statements)
      .filter(
        ([k]) =>
          !/^(gitops_observations|gitops_records|gitops_entity_bindings|gitops_entities|gitops_source_health)\./.test(
            k,
          ),
      )
      .map(([k, n]) =>
        k.endsWith('.insert')
          ? `${k} ${x.statementRows[k]} rows`
          : `${k} ${n} statements`,
      );
    if (otherWrites.length)
      row(
        `collection cycle, ${x.label}: other rows written`,
        otherWrites.join(', '),
        '',
        '',
        '',
      );
    row(
      `collection cycle, ${x.label}: upstream requests`,
      `${x.upstream.total - x.upstream.watch} LIST + ${x.upstream.watch} WATCH`,
      '',
      '',
      '',
    );
  }
  row(
    'backend memory peak during the initial cycle: RSS / heap used',
    `${mb(c.initial.peakMemory.rss)} / ${mb(c.initial.peakMemory.heapUsed)} MB`,
    '',
    '',
    '',
  );
  const t4 = r.memory.timeline.find(m => m.label === 'after 4 cycles');
  if (t4)
    row(
      'heap used after cycle 1 → after cycle 4 (after GC)',
      `${mb(r.memory.loaded.heapUsed)} → ${mb(t4.heapUsed)} MB (+${mb(
        (t4.heapUsed - r.memory.loaded.heapUsed) / 3,
      )} MB per cycle)`,
      '',
      'flat',
      verdict(t4.heapUsed - r.memory.loaded.heapUsed < 10 * 1024 ** 2),
    );
  row(
    'backend memory at 0 records (after GC): RSS / heap used',
    `${mb(r.memory.empty.rss)} / ${mb(r.memory.empty.heapUsed)} MB`,
    '',
    '',
    '',
  );
  row(
    `backend memory at ${r.counts.records} records (after GC): RSS / heap used / database`,
    `${mb(r.memory.loaded.rss)} / ${mb(r.memory.loaded.heapUsed)} / ${mb(
      r.memory.loaded.db,
    )} MB`,
    '',
    '',
    '',
  );
  row(
    'memory growth 0 → 10k records: RSS / heap used',
    `${mb(growth.rss)} / ${mb(growth.heap)} MB`,
    '',
    '≤ 150 MB',
    `RSS ${verdict(growth.rss <= 150 * 1024 ** 2)}, heap ${verdict(
      growth.heap <= 150 * 1024 ** 2,
    )}`,
  );
  if (r.memory.emptyIdle && r.memory.loadedIdle) {
    const idle = r.memory.loadedIdle.rss - r.memory.emptyIdle.rss;
    const inProcessDb = r.backend.database.startsWith('sqlite');
    row(
      `memory growth 0 → ${r.counts.records} records, both read after ${
        r.options.idleSeconds
      } s idle (no forced GC): RSS${
        inProcessDb ? ' (of it the in-memory SQLite database)' : ''
      }`,
      `${mb(r.memory.emptyIdle.rss)} → ${mb(r.memory.loadedIdle.rss)} MB: +${mb(
        idle,
      )} MB${inProcessDb ? ` (${mb(r.memory.loaded.db)} MB)` : ''}`,
      '',
      '≤ 150 MB',
      verdict(idle <= 150 * 1024 ** 2),
    );
  }
  row(
    'backend memory after the HTTP load (after GC): RSS / heap used',
    `${mb(r.memory.afterLoad.rss)} / ${mb(r.memory.afterLoad.heapUsed)} MB`,
    '',
    '',
    '',
  );
  if (r.statusSweep?.length) {
    lines.push('');
    lines.push(
      'Entity status by concurrency (5 s each, rotating over the 1,000 services):',
    );
    lines.push('');
    lines.push('| connections | p50 ms | p99 ms | requests/s | p99 ≤ 10 ms |');
    lines.push('|---|---|---|---|---|');
    for (const x of r.statusSweep)
      lines.push(
        `| ${x.connections} | ${ms(x.p50)} | ${ms(x.p99)} | ${x.rps.toFixed(
          0,
        )} | ${x.p99 <= 10 ? 'yes' : 'no'} |`,
      );
  }
  lines.push('');
  lines.push(`run took ${r.totalSeconds.toFixed(0)} s`);
  lines.push('');
  lines.push(
    'Slowest SQL per deployments request (1 connection), ms per request:',
  );
  lines.push('');
  for (const [label, d] of Object.entries(r.deployments)) {
    const q = d.serial.slowestQueries?.[0];
    if (q)
      lines.push(
        `- ${label}: ${q.msPerRequest.toFixed(1)} ms \`${q.sql.slice(0, 220)}${
          q.sql.length > 220 ? '…' : ''
        }\``,
      );
  }
  const profileTables = (title, p) => {
    lines.push('');
    lines.push(`${title}, self time by area:`);
    lines.push('');
    lines.push('| area | self ms | % |');
    lines.push('|---|---|---|');
    const areas = Object.entries(p.buckets).sort((a, b) => b[1] - a[1]);
    const rest = areas.slice(12).reduce((n, [, t]) => n + t, 0);
    for (const [area, t] of [...areas.slice(0, 12), ['everything else', rest]])
      lines.push(
        `| ${area} | ${t.toFixed(0)} | ${((100 * t) / p.totalMs).toFixed(1)} |`,
      );
    lines.push('');
    lines.push(`${title}, self time by function:`);
    lines.push('');
    lines.push('| function | self ms | % |');
    lines.push('|---|---|---|');
    for (const t of p.top.slice(0, 15))
      lines.push(`| ${t.fn} | ${t.ms.toFixed(0)} | ${t.pct.toFixed(1)} |`);
  };
  if (c.initial?.cpuProfile)
    profileTables('Collection cycle (initial, profiled)', c.initial.cpuProfile);
  if (c.profiled?.cpuProfile)
    profileTables(
      'Collection cycle (unchanged, profiled)',
      c.profiled.cpuProfile,
    );
  if (s.profile)
    profileTables(
      `Entity status under load (${r.options.connections} connections, 3 s, profiled)`,
      s.profile,
    );
  lines.push('');
  return lines.join('\n');
}

main().catch(e => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(1);
});
