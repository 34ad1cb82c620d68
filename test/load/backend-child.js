'use strict';
/*
 * One backend replica: the real gitops backend plugin in a test backend
 * (@backstage/backend-test-utils startTestBackend), on a PostgreSQL database that every replica of
 * the run shares, with the real scheduler of @backstage/backend-defaults. Adapted from
 * test/bench/backend-child.js; what differs, and why:
 *
 * - the scheduler is `DefaultSchedulerService` (what `schedulerServiceFactory` builds), so the
 *   `gitops-collect` task (scope 'global') is claimed through the shared database: of several
 *   replicas only one runs a session at a time, and a dead replica's claim is freed by the scheduler
 *   janitor once the task's timeout has passed. The only addition is a wrapper around each task
 *   function that tells the driver when a session starts and ends on this replica;
 * - the collection runs on its own schedule (short sessions), not driven by the driver;
 * - knex query events tell the driver when this replica writes source health and observations
 *   (which replica wrote what, and when to kill one mid-write);
 * - info, warn and error log lines are forwarded to the driver (they go into the report).
 *
 * Auth and permissions are the test mocks (mock user credentials, allow-all), as in the benchmark.
 */
require('@backstage/cli/config/nodeTransform.cjs');
const fs = require('node:fs');
const path = require('node:path');
const {
  createServiceFactory,
  coreServices,
} = require('@backstage/backend-plugin-api');
const { metricsServiceRef } = require('@backstage/backend-plugin-api/alpha');
const {
  DefaultSchedulerService,
} = require('@backstage/backend-defaults/scheduler');
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
const { parseAllDocuments } = require('yaml');
const knexFactory = require('knex');
const { serve, emit } = require('./lib/ipc');

const REPO_ROOT = path.resolve(__dirname, '../..');
const { gitopsPlugin } = require(path.join(
  REPO_ROOT,
  'plugins/gitops-backend/src/plugin',
));

let replica = '?';
let backend;
let knex;

// ---------------------------------------------------------------- catalog

/** The relations the catalog's processors derive from spec.system and spec.owner. */
function withRelations(entity) {
  const spec = entity.spec || {};
  const relations = [];
  if (spec.system)
    relations.push({
      type: 'partOf',
      targetRef: `system:default/${spec.system}`,
    });
  if (spec.owner)
    relations.push({
      type: 'ownedBy',
      targetRef: `group:default/${spec.owner}`,
    });
  return { ...entity, relations };
}

function exampleEntities() {
  return ['entities.yaml', 'org.yaml']
    .flatMap(file =>
      parseAllDocuments(
        fs.readFileSync(path.join(REPO_ROOT, 'examples', file), 'utf8'),
      ).map(d => d.toJSON()),
    )
    .map(withRelations);
}

function indexedCatalog(entities) {
  const client = new InMemoryCatalogClient({ entities });
  const byRef = new Map(entities.map(e => [stringifyEntityRef(e), e]));
  client.getEntityByRef = async ref =>
    byRef.get(
      stringifyEntityRef(typeof ref === 'string' ? parseEntityRef(ref) : ref),
    );
  return client;
}

// ---------------------------------------------------------------- services

/** Info, warn and error lines go to the driver (with this replica's name); debug is dropped. */
function forwardingLogger(fields = {}) {
  const log = level => (message, meta) => {
    if (level === 'debug') return;
    const text =
      message instanceof Error ? message.message : String(message ?? '');
    emit({
      type: 'log',
      replica,
      level,
      message: text,
      fields: { ...fields, ...(meta && typeof meta === 'object' ? meta : {}) },
    });
    if (process.env.LOAD_VERBOSE)
      process.stderr.write(`[replica ${replica} ${level}] ${text}\n`);
  };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: more => forwardingLogger({ ...fields, ...more }),
  };
}

/**
 * The real scheduler (DefaultSchedulerService, as schedulerServiceFactory creates it); each task
 * function is wrapped only to report when a run starts and ends on this replica.
 */
const instrumentedSchedulerFactory = createServiceFactory({
  service: coreServices.scheduler,
  deps: {
    database: coreServices.database,
    logger: coreServices.logger,
    rootLifecycle: coreServices.rootLifecycle,
    httpRouter: coreServices.httpRouter,
    pluginMetadata: coreServices.pluginMetadata,
    metrics: metricsServiceRef,
  },
  async factory(deps) {
    const scheduler = DefaultSchedulerService.create(deps);
    const scheduleTask = scheduler.scheduleTask.bind(scheduler);
    let runs = 0;
    scheduler.scheduleTask = task =>
      scheduleTask({
        ...task,
        fn: async signal => {
          const run = ++runs;
          emit({ type: 'task-start', replica, task: task.id, run });
          try {
            await task.fn(signal);
            emit({ type: 'task-end', replica, task: task.id, run });
          } catch (e) {
            emit({
              type: 'task-end',
              replica,
              task: task.id,
              run,
              error: String(e),
            });
            throw e;
          }
        },
      });
    return scheduler;
  },
});

// ---------------------------------------------------------------- commands

serve({
  async start({
    fleet,
    databaseUrl,
    name,
    frequencyMs,
    sessionMs,
    requestTimeoutMs,
    circuitBreaker,
  }) {
    replica = name;
    const t0 = performance.now();
    knex = knexFactory({
      client: 'pg',
      connection: databaseUrl,
      pool: { min: 1, max: 10 },
    });
    // Which replica writes what: source health (a cluster reported) and observations (a snapshot).
    knex.on('query', q => {
      const m =
        /^insert\s+into\s+"(gitops_source_health|gitops_observations)"/i.exec(
          q.sql || '',
        );
      if (!m) return;
      if (m[1] === 'gitops_source_health') {
        const target = (q.bindings || []).find(b =>
          /^kubernetes:/.test(String(b)),
        );
        emit({ type: 'health-write', replica, target });
      } else {
        emit({ type: 'observations-write', replica });
      }
    });
    const entities = exampleEntities();
    const caData = Buffer.from(fleet.caPem).toString('base64');
    try {
      backend = await startTestBackend({
        features: [
          gitopsPlugin,
          instrumentedSchedulerFactory,
          createServiceFactory({
            service: coreServices.logger,
            deps: {},
            factory: () => forwardingLogger(),
          }),
          mockServices.database.factory({ knex }),
          createServiceFactory({
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
                  frequency: { milliseconds: frequencyMs },
                  sessionDuration: { milliseconds: sessionMs },
                  requestTimeout: { milliseconds: requestTimeoutMs },
                  ...(circuitBreaker ? { circuitBreaker } : {}),
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
    } catch (e) {
      // The root cause and where it was thrown (e.g. which migration table was locked).
      let root = e;
      while (root && root.cause) root = root.cause;
      await knex.destroy();
      knex = undefined;
      throw new Error(
        `${String(e && e.message)
          .split('\n')
          .slice(0, 2)
          .join(' ')} | root cause: ${
          root && root.stack
            ? root.stack.split('\n').slice(0, 8).join(' <- ')
            : root
        }`,
      );
    }
    return {
      startMs: performance.now() - t0,
      pid: process.pid,
      port: backend.server.address().port,
      authHeader: mockCredentials.user.header(),
      entities: entities.length,
    };
  },

  /** CPU time and event-loop use since the process started (the driver takes differences). */
  usage() {
    const cpu = process.cpuUsage();
    const elu = performance.eventLoopUtilization();
    return {
      cpuMs: (cpu.user + cpu.system) / 1000,
      eluActiveMs: elu.active,
      eluIdleMs: elu.idle,
    };
  },

  async stop() {
    await backend?.stop();
    // The scheduler's last poll may still be running: let it finish before closing the pool.
    const pool = knex?.client.pool;
    for (
      let i = 0;
      pool && i < 40 && pool.numUsed() + pool.numPendingAcquires() > 0;
      i++
    )
      await new Promise(r => setTimeout(r, 50));
    await knex?.destroy();
  },
});
