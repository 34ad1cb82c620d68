'use strict';
/*
 * The real gitops backend plugin in a test backend (@backstage/backend-test-utils startTestBackend),
 * alone in this process so that process.cpuUsage() and process.memoryUsage() are the backend's.
 *
 * Differences from plugins/gitops-backend/src/plugin.test.ts, all for measuring:
 * - the scheduler is a stub that keeps the `gitops-collect` task function, so the benchmark runs one
 *   session with its own AbortSignal and ends it once every cluster has reported its snapshot
 *   (instead of waiting for `sessionDuration`);
 * - the database is a knex instance created here (SQLite in memory, or PostgreSQL with --postgres),
 *   so its query events can be counted (statements and rows written per table);
 * - the logger keeps the store's own "N records changed, W rows written" debug lines;
 * - the catalog is the in-memory catalog mock with getEntityByRef served from a map (the stock mock
 *   rebuilds a 1,000-entry map on every call); `stockCatalog` uses the stock mock unchanged.
 */
require('@backstage/cli/config/nodeTransform.cjs');
const fs = require('node:fs');
const path = require('node:path');
const {
  createServiceFactory,
  coreServices,
} = require('@backstage/backend-plugin-api');
const {
  mockCredentials,
  mockServices,
  startTestBackend,
} = require('@backstage/backend-test-utils');
const {
  InMemoryCatalogClient,
} = require('@backstage/catalog-client/testUtils');
const { catalogServiceRef } = require('@backstage/plugin-catalog-node');
const { signalsServiceRef } = require('@backstage/plugin-signals-node');
const {
  parseEntityRef,
  stringifyEntityRef,
} = require('@backstage/catalog-model');
const knexFactory = require('knex');
const { serve } = require('./lib/ipc');
const { benchEntities } = require('./lib/entities');

const REPO_ROOT = path.resolve(__dirname, '../..');
const { gitopsPlugin } = require(path.join(
  REPO_ROOT,
  'plugins/gitops-backend/src/plugin',
));

/**
 * TLS connections the backend opens (to the fleet: the backend makes no other), and how many
 * resumed an earlier TLS session: counted on `tls.connect`, which every https agent goes through.
 */
const tlsConnections = { opened: 0, resumed: 0 };
{
  const tls = require('node:tls');
  const connect = tls.connect;
  tls.connect = function countedConnect(...args) {
    const socket = connect.apply(this, args);
    tlsConnections.opened++;
    socket.once('secureConnect', () => {
      if (socket.isSessionReused()) tlsConnections.resumed++;
    });
    return socket;
  };
}

let backend;
let knex;
let adminKnex;
let pgDatabase;
let keepDatabase = false;
let task;
const storeLog = [];
const writes = { statements: {}, rows: {} };
let queryListener;
let activeProfile;
let activeHeapSampling;
/** When set, the time of every query by SQL text (for `traceQueries`). */
let trace;
function traceDone(q) {
  const open = trace && trace.open.get(q.__knexQueryUid);
  if (!open) return;
  trace.open.delete(q.__knexQueryUid);
  const entry = trace.bySql.get(open.sql) || { sql: open.sql, n: 0, ms: 0 };
  entry.n++;
  entry.ms += performance.now() - open.t0;
  trace.bySql.set(open.sql, entry);
}

// ---------------------------------------------------------------- services

function capturingLogger(fields = {}) {
  const log = level => (message, meta) => {
    if (level === 'debug' && /rows written/.test(String(message)))
      storeLog.push(String(message));
    if (level === 'error' || (level === 'warn' && process.env.BENCH_VERBOSE))
      process.stderr.write(
        `[backend ${level}] ${message}${
          meta ? ` ${JSON.stringify(meta)}` : ''
        }\n`,
      );
  };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: more => capturingLogger({ ...fields, ...more }),
  };
}

const schedulerStub = {
  async scheduleTask(t) {
    if (t.id === 'gitops-collect') task = t;
  },
  createScheduledTaskRunner: schedule => ({
    run: async t => schedulerStub.scheduleTask({ ...t, ...schedule }),
  }),
  async triggerTask() {},
  async cancelTask() {},
  async getScheduledTasks() {
    return task
      ? [{ id: task.id, scope: 'global', settings: { version: 1 } }]
      : [];
  },
};

function indexedCatalog(entities) {
  const client = new InMemoryCatalogClient({ entities });
  const byRef = new Map(entities.map(e => [stringifyEntityRef(e), e]));
  client.getEntityByRef = async ref =>
    byRef.get(
      stringifyEntityRef(typeof ref === 'string' ? parseEntityRef(ref) : ref),
    );
  return client;
}

// ---------------------------------------------------------------- database

async function createKnex(postgres, reuseDatabase) {
  if (!postgres) {
    return knexFactory({
      client: 'better-sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
      // One connection: every connection to ':memory:' is a database of its own.
      pool: { min: 1, max: 1, idleTimeoutMillis: Number.MAX_SAFE_INTEGER },
    });
  }
  // A fresh database per run, dropped at the end (unless handed on to a restarted backend).
  adminKnex = knexFactory({
    client: 'pg',
    connection: postgres,
    pool: { min: 0, max: 1 },
  });
  if (reuseDatabase) {
    if (!/^gitops_bench_\d+_\d+$/.test(reuseDatabase))
      throw new Error(`not a bench database: ${reuseDatabase}`);
    pgDatabase = reuseDatabase;
  } else {
    pgDatabase = `gitops_bench_${process.pid}_${Date.now()}`;
    await adminKnex.raw(`create database ${pgDatabase}`);
  }
  const url = new URL(postgres);
  url.pathname = `/${pgDatabase}`;
  return knexFactory({
    client: 'pg',
    connection: url.toString(),
    pool: { min: 1, max: 10 },
  });
}

/** Counts write statements and the rows they carry, per table, from knex query events. */
function countWrites(query) {
  const sql = String(query.sql || '').trim();
  const m =
    /^insert\s+into\s+[`"]?(\w+)[`"]?\s*\(([^)]*)\)/i.exec(sql) ||
    /^(?:update)\s+[`"]?(\w+)[`"]?/i.exec(sql) ||
    /^delete\s+from\s+[`"]?(\w+)[`"]?/i.exec(sql);
  if (!m) return;
  const table = m[1];
  const verb = sql.slice(0, 6).toLowerCase();
  const key = `${table}.${verb}`;
  writes.statements[key] = (writes.statements[key] || 0) + 1;
  if (verb === 'insert') {
    const columns = m[2].split(',').length;
    const rows = Math.max(
      1,
      Math.floor((query.bindings || []).length / columns),
    );
    writes.rows[key] = (writes.rows[key] || 0) + rows;
  }
}

/** Rows of every store table, by key, with a digest of their content (to diff two snapshots). */
async function tableState() {
  const state = {};
  const add = (table, rows, keyOf, valueOf) => {
    state[table] = new Map(rows.map(r => [keyOf(r), valueOf(r)]));
  };
  add(
    'gitops_observations',
    await knex('gitops_observations').select('target_id', 'record_id', 'hash'),
    r => `${r.target_id}#${r.record_id}`,
    r => r.hash,
  );
  add(
    'gitops_records',
    await knex('gitops_records').select('record_id', 'hash', 'observed_at'),
    r => r.record_id,
    r => `${r.hash}@${r.observed_at}`,
  );
  add(
    'gitops_entity_bindings',
    await knex('gitops_entity_bindings').select('entity_ref', 'record_id'),
    r => `${r.entity_ref}#${r.record_id}`,
    () => '',
  );
  add(
    'gitops_entities',
    await knex('gitops_entities').select('entity_ref', 'owner', 'system'),
    r => r.entity_ref,
    r => `${r.owner}|${r.system}`,
  );
  add(
    'gitops_source_health',
    await knex('gitops_source_health').select(),
    r => r.id,
    r => JSON.stringify(r),
  );
  return state;
}

function diffStates(before, after) {
  const out = {};
  for (const table of Object.keys(after)) {
    const a = before[table] || new Map();
    const b = after[table];
    let inserted = 0;
    let updated = 0;
    let deleted = 0;
    for (const [k, v] of b) {
      if (!a.has(k)) inserted++;
      else if (a.get(k) !== v) updated++;
    }
    for (const k of a.keys()) if (!b.has(k)) deleted++;
    out[table] = { rows: b.size, inserted, updated, deleted };
  }
  return out;
}

// ---------------------------------------------------------------- profile

/** TLS natives that show up without a script URL in the profile. */
const TLS_NATIVES = new Set([
  'init',
  'start',
  'getPeerCertificate',
  'addCACert',
  'setCiphers',
  'destroySSL',
  'connect',
  'shutdown',
  'wrap',
  'setSession',
  'getSession',
  'setServername',
  'verifyError',
  'setALPNProtocols',
  'setVerifyMode',
  'getEphemeralKeyInfo',
  'setMaxSendFragment',
  'setKey',
  'setCert',
  'setOptions',
  'getSharedSigalgs',
  'newSession',
]);

/** Where a function's self time goes, roughly: what a reader of the profile would group together. */
function bucketOf(key) {
  if (key === '(idle)') return 'idle';
  if (key === '(garbage collector)') return 'garbage collection';
  if (key === '(program)') return 'V8 (program)';
  const [fn, where = ''] = key.split(' ');
  if (/node:inspector/.test(where)) return 'profiler';
  if (
    TLS_NATIVES.has(fn) ||
    /node:(internal\/tls|_tls|tls|https|internal\/crypto|_http_agent)/.test(
      where,
    )
  )
    return 'TLS connection setup and I/O';
  if (
    /gitops-backend\/src\/merge\/identity/.test(where) ||
    fn === 'update' ||
    fn === 'digest'
  )
    return 'record hashing (stableJson + sha256)';
  if (/gitops-backend\/src\/normalize/.test(where)) return 'normalize';
  if (/gitops-backend\/src\/(store|collector|binding|merge)/.test(where))
    return 'store, merge, bind (JS)';
  if (/gitops-backend\/src\/sources/.test(where))
    return 'kubernetes source (JS)';
  if (/gitops-backend\/src\/service|gitops-common/.test(where))
    return 'gitops router + summary (JS)';
  const own = /gitops-backend\/src\/([^/]+)/.exec(where);
  if (own) return `gitops-backend ${own[1]}/ (JS)`;
  if (/@kubernetes\/client-node/.test(where))
    return '@kubernetes/client-node (incl. JSON parse)';
  if (/node-fetch/.test(where)) return 'node-fetch';
  if (/knex|better-sqlite3|node_modules\/pg/.test(where))
    return 'knex / database driver';
  if (/backend-openapi-utils|ajv|openapi/.test(where))
    return 'OpenAPI validation';
  if (/catalog-client|catalog-model/.test(where))
    return 'catalog mock + entity refs';
  if (/permission/.test(where)) return 'permissions';
  if (/@backstage\//.test(where)) return 'Backstage backend services';
  if (
    /node_modules\/(express|router|express-promise-router|path-to-regexp|body-parser|finalhandler|on-finished|send|qs|cookie|helmet|cors|compression|morgan)/.test(
      where,
    )
  )
    return 'Express + middleware';
  if (
    /node:(_http|internal\/http|net|stream|internal\/streams|events|buffer|internal\/url|url)/.test(
      where,
    )
  )
    return 'Node HTTP, sockets, streams, buffers';
  if (!where && /^(stringify|parse)$/.test(fn)) return `JSON.${fn}`;
  return `other${
    where
      ? ` (${where
          .replace(/^node_modules\//, '')
          .split('/')
          .slice(0, 2)
          .join('/')})`
      : ' (native)'
  }`;
}

/** An inspector session on this process and a promise-returning `post`. */
function inspectorSession() {
  const inspector = require('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (method, params) =>
    new Promise((resolve, reject) =>
      session.post(method, params, (err, res) =>
        err ? reject(err) : resolve(res),
      ),
    );
  return { session, post };
}

/** Starts the V8 sampling profiler; the returned function stops it and sums self time per function. */
async function startProfile() {
  const { session, post } = inspectorSession();
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 1000 });
  await post('Profiler.start');
  return async () => {
    const { profile } = await post('Profiler.stop');
    session.disconnect();
    // Raw profile for Chrome DevTools / speedscope when asked.
    if (process.env.BENCH_PROFILE_DIR) {
      fs.writeFileSync(
        path.join(
          process.env.BENCH_PROFILE_DIR,
          `backend-${Date.now()}.cpuprofile`,
        ),
        JSON.stringify(profile),
      );
    }
    const byId = new Map(profile.nodes.map(n => [n.id, n]));
    const self = new Map();
    let total = 0;
    for (let i = 0; i < profile.samples.length; i++) {
      const node = byId.get(profile.samples[i]);
      const dt = profile.timeDeltas[i] || 0;
      total += dt;
      const f = node.callFrame;
      const where = f.url
        ? `${f.url.replace(/^file:\/\//, '').replace(REPO_ROOT + '/', '')}:${
            f.lineNumber + 1
          }`
        : '';
      const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
      self.set(key, (self.get(key) || 0) + dt);
    }
    const buckets = {};
    for (const [key, us] of self) {
      const b = bucketOf(key);
      buckets[b] = (buckets[b] || 0) + us / 1000;
    }
    return {
      totalMs: total / 1000,
      buckets,
      top: [...self.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 25)
        .map(([fn, us]) => ({ fn, ms: us / 1000, pct: (100 * us) / total })),
    };
  };
}

/** Samples allocations (collected ones included) until the returned function writes them. */
async function startHeapSampling() {
  const { session, post } = inspectorSession();
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', {
    samplingInterval: 64 * 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return async () => {
    const { profile } = await post('HeapProfiler.stopSampling');
    session.disconnect();
    fs.writeFileSync(
      path.join(
        process.env.BENCH_HEAP_PROFILE_DIR,
        `backend-${Date.now()}.heapprofile`,
      ),
      JSON.stringify(profile),
    );
  };
}

// ---------------------------------------------------------------- memory

function memory({ gc = true } = {}) {
  if (gc && global.gc) {
    global.gc();
    global.gc();
  }
  const m = process.memoryUsage();
  return {
    gc: Boolean(gc && global.gc),
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
  };
}

// ---------------------------------------------------------------- commands

serve({
  async start({
    fleet,
    postgres,
    stockCatalog,
    concurrency,
    sessionMs = 300_000,
    reuseDatabase,
  }) {
    const t0 = performance.now();
    knex = await createKnex(postgres, reuseDatabase);
    queryListener = countWrites;
    knex.on('query', q => {
      if (queryListener) queryListener(q);
      if (trace)
        trace.open.set(q.__knexQueryUid, { sql: q.sql, t0: performance.now() });
    });
    knex.on('query-response', (_r, q) => traceDone(q));
    knex.on('query-error', (_e, q) => traceDone(q));
    const entities = benchEntities(REPO_ROOT);
    const caData = Buffer.from(fleet.caPem).toString('base64');
    const {
      catalogServiceMock,
    } = require('@backstage/plugin-catalog-node/testUtils');
    backend = await startTestBackend({
      features: [
        gitopsPlugin,
        createServiceFactory({
          service: coreServices.scheduler,
          deps: {},
          factory: () => schedulerStub,
        }),
        createServiceFactory({
          service: coreServices.logger,
          deps: {},
          factory: () => capturingLogger(),
        }),
        mockServices.database.factory({ knex }),
        stockCatalog
          ? catalogServiceMock.factory({ entities })
          : createServiceFactory({
              service: catalogServiceRef,
              deps: {},
              factory: () => indexedCatalog(entities),
            }),
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({ publish: async () => {} }),
        }),
        mockServices.rootConfig.factory({
          data: {
            gitops: {
              collection: {
                frequency: { hours: 24 },
                // Ended by the benchmark once every cluster reported; this is only a bound.
                sessionDuration: { milliseconds: sessionMs },
                requestTimeout: { seconds: 10 },
                ...(concurrency ? { concurrency } : {}),
              },
              clusters: fleet.clusters.map(c => ({
                name: c.name,
                environment: c.environment,
                url: c.server,
                serviceAccountToken: fleet.token,
                caData,
                aliases: [c.argocdServerAlias, c.serverAlias],
                argocdInstance: c.runsArgoCd ? 'main' : undefined,
                azureResourceId: c.azureResourceId,
              })),
            },
          },
        }),
      ],
    });
    if (!task) throw new Error('the plugin did not schedule gitops-collect');
    return {
      startMs: performance.now() - t0,
      port: backend.server.address().port,
      authHeader: mockCredentials.user.header(),
      entities: entities.length,
      annotated: entities.filter(e => e.metadata.annotations).length,
      database: postgres ? 'postgresql' : 'sqlite (better-sqlite3, :memory:)',
    };
  },

  memory,

  /** Samples the backend's CPU until `profileStop`, e.g. during an HTTP load. */
  async profileStart() {
    activeProfile = await startProfile();
  },
  async profileStop() {
    const p = await activeProfile();
    activeProfile = undefined;
    return p;
  },
  /** Allocation sampling (BENCH_HEAP_PROFILE_DIR set), e.g. during an HTTP load. */
  async heapSamplingStart() {
    if (process.env.BENCH_HEAP_PROFILE_DIR)
      activeHeapSampling = await startHeapSampling();
  },
  async heapSamplingStop() {
    await activeHeapSampling?.();
    activeHeapSampling = undefined;
  },

  /** Starts timing queries; `{ stop: true }` returns the slowest SQL texts since the start. */
  traceQueries({ stop } = {}) {
    if (!stop) {
      trace = { open: new Map(), bySql: new Map() };
      return undefined;
    }
    const out = [...(trace?.bySql.values() ?? [])]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 8);
    trace = undefined;
    return out;
  },

  /** Resolves once the backend is idle: no query running or queued, event loop mostly idle. */
  async quiesce({ timeoutMs = 60_000 } = {}) {
    const t0 = performance.now();
    const pool = knex.client.pool;
    for (;;) {
      const elu0 = performance.eventLoopUtilization();
      await new Promise(r => setTimeout(r, 100));
      const busy = performance.eventLoopUtilization(elu0).utilization;
      const queries = pool.numUsed() + pool.numPendingAcquires();
      if ((busy < 0.05 && queries === 0) || performance.now() - t0 > timeoutMs)
        return { waitedMs: performance.now() - t0, busy, queries };
    }
  },

  /**
   * Times the state chart's counts (store/deployments.ts countDeploymentStates) on the store's own
   * database, for one filter: what a deployments request adds once it carries them.
   */
  /** What a write that changes the org-wide counts does (see GitOpsStore.readSummaryVersion). */
  async moveSummaryVersion() {
    await knex('gitops_summary_version')
      .where({ id: 1 })
      .update({ version: knex.raw('version + 1') });
  },

  async stateCounts({ filter, runs = 20 }) {
    const { countDeploymentStates } = require(path.join(
      REPO_ROOT,
      'plugins/gitops-backend/src/store/deployments',
    ));
    const times = [];
    let counts;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      counts = await countDeploymentStates(knex, { filter });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return {
      p50: times[Math.floor(times.length / 2)],
      max: times[times.length - 1],
      rows: counts.cluster.reduce((n, c) => n + c.count, 0),
      groups: { cluster: counts.cluster.length, tool: counts.tool.length },
    };
  },

  async dbSize() {
    if (pgDatabase) {
      const r = await knex.raw(
        'select pg_database_size(current_database()) as n',
      );
      return Number(r.rows[0].n);
    }
    const [{ page_count: pages }] = await knex.raw('pragma page_count');
    const [{ page_size: size }] = await knex.raw('pragma page_size');
    return pages * size;
  },

  /** Rows in every gitops_* table, plus alerts by status when the plugin has them. */
  async counts() {
    const n = async t => Number((await knex(t).count({ n: '*' }))[0].n);
    const tables = pgDatabase
      ? (
          await knex('information_schema.tables')
            .where('table_schema', 'public')
            .andWhere('table_name', 'like', 'gitops\\_%')
            .select({ name: 'table_name' })
        ).map(r => r.name)
      : (
          await knex('sqlite_master')
            .where('type', 'table')
            .andWhere('name', 'like', 'gitops_%')
            .select('name')
        ).map(r => r.name);
    const out = { tables: {} };
    for (const t of tables.sort()) out.tables[t] = await n(t);
    out.records = out.tables.gitops_records;
    if (tables.includes('gitops_alerts')) {
      out.alertsByStatus = Object.fromEntries(
        (
          await knex('gitops_alerts')
            .select('status')
            .count({ n: '*' })
            .groupBy('status')
        ).map(r => [r.status, Number(r.n)]),
      );
    }
    return out;
  },

  /**
   * One collection session: runs the task function and ends the session once every cluster has
   * reported (its source-health row written), i.e. the LIST + normalize + diff + write + bind cycle
   * of every cluster. Watches opened meanwhile are closed by the abort.
   */
  async collect({ targets, profile }) {
    const before = await tableState();
    for (const k of Object.keys(writes.statements)) delete writes.statements[k];
    for (const k of Object.keys(writes.rows)) delete writes.rows[k];
    storeLog.length = 0;
    const reported = new Set();
    const controller = new AbortController();
    let reportedAt;
    const t0 = performance.now();
    queryListener = q => {
      countWrites(q);
      if (/^insert\s+into\s+[`"]?gitops_source_health/i.test(q.sql || '')) {
        reported.add(
          q.bindings && q.bindings.find(b => /^kubernetes:/.test(String(b))),
        );
        if (reported.size >= targets && !reportedAt) {
          reportedAt = performance.now();
          controller.abort();
        }
      }
    };
    const stopProfile = profile ? await startProfile() : undefined;
    // BENCH_HEAP_PROFILE_DIR: a sampled allocation profile of every cycle (diagnostics only).
    const stopHeap = process.env.BENCH_HEAP_PROFILE_DIR
      ? await startHeapSampling()
      : undefined;
    const peak = { rss: 0, heapUsed: 0, heapTotal: 0 };
    const sample = () => {
      const m = process.memoryUsage();
      for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], m[k]);
    };
    const sampler = setInterval(sample, 50);
    const tls0 = { ...tlsConnections };
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    await task.fn(controller.signal);
    clearInterval(sampler);
    sample();
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const elu = performance.eventLoopUtilization(elu0);
    const cpuProfile = stopProfile ? await stopProfile() : undefined;
    if (stopHeap) await stopHeap();
    queryListener = countWrites;
    const after = await tableState();
    const storeWrites = storeLog.reduce(
      (n, line) => n + Number((/(\d+) rows written/.exec(line) || [0, 0])[1]),
      0,
    );
    const recordsChanged = storeLog.reduce(
      (n, line) =>
        n + Number((/(\d+) records changed/.exec(line) || [0, 0])[1]),
      0,
    );
    return {
      wallMs,
      reportedMs: reportedAt ? reportedAt - t0 : undefined,
      targetsReported: reported.size,
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      eventLoopUtilization: elu.utilization,
      peakMemory: peak,
      tlsConnections: {
        opened: tlsConnections.opened - tls0.opened,
        resumed: tlsConnections.resumed - tls0.resumed,
      },
      storeWrites,
      recordsChanged,
      statements: { ...writes.statements },
      statementRows: { ...writes.rows },
      tables: diffStates(before, after),
      cpuProfile,
    };
  },

  /** A V8 heap snapshot into `file` (diagnostics). */
  heapSnapshot({ file }) {
    return require('node:v8').writeHeapSnapshot(file);
  },

  /** The PostgreSQL database is left in place at stop, for a backend started next (a restart). */
  keepDatabase() {
    keepDatabase = true;
    return pgDatabase;
  },

  async stop() {
    await backend?.stop();
    await knex?.destroy();
    if (adminKnex && keepDatabase) {
      await adminKnex.destroy();
    } else if (adminKnex) {
      await adminKnex.raw(`drop database if exists ${pgDatabase}`);
      await adminKnex.destroy();
    }
  },
});
