#!/usr/bin/env node
'use strict';
/*
 * Chromium timings of the GitOps pages against the demo fleet scaled to 50 clusters × 200 filler
 * objects (~10,900 records): the deployments page (unfiltered and filtered by owner) and an entity's
 * GitOps tab, from navigation start until the first row of their table is painted.
 * Method and figures: docs/performance.md, "In Chromium". Usage: node test/bench/browser/run.js --help
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { writeBenchConfig, writeFrontendConfig } = require('./lib/config');
const {
  startGroup,
  stopAll,
  portInUse,
  waitFor,
  cpuMs,
} = require('./lib/processes');
const { installProbe, waitPainted, collectInPage } = require('./lib/probe');
const { summarise, markdown, writeDocs } = require('./lib/report');
const { profileNavigation, describeProfile } = require('./lib/profile');
const { FILLER_SERVICE_IDS, teamOf } = require('../lib/entities');

const repoRoot = path.resolve(__dirname, '../../..');

const USAGE = `Usage: node test/bench/browser/run.js [options]

  --runs <n>           measured navigations per view, after one warm-up (default 5)
  --app-port <n>       static server for the app build (default 3100)
  --backend-port <n>   backend (default 7107)
  --fleet-port <n>     demo fleet (default 7200)
  --latency-ms <n>     latency the fleet adds to every upstream request (default 20)
  --app-dist <dir>     reuse this app build if it has an index.html, else build into it
  --json <file>        raw figures (default: <temp dir>/browser-bench.json)
  --no-docs            do not rewrite the "In Chromium" block of docs/performance.md
  --keep-temp          keep the temp folder (configs, logs, build)
  --profile            then one profiled navigation per view: network waterfall and main-thread
                       time by package and function, split at the view's API call (printed on
                       stderr, written beside the JSON as .profile.md and .cpuprofile files)
  --help
`;

function parseArgs(argv) {
  const args = {
    runs: 5,
    ports: { app: 3100, backend: 7107, fleet: 7200 },
    latencyMs: 20,
    docs: true,
    keepTemp: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const int = () => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0)
        throw new Error(`${flag} expects a non-negative integer`);
      return n;
    };
    switch (flag) {
      case '--runs':
        args.runs = Math.max(1, int());
        break;
      case '--app-port':
        args.ports.app = int();
        break;
      case '--backend-port':
        args.ports.backend = int();
        break;
      case '--fleet-port':
        args.ports.fleet = int();
        break;
      case '--latency-ms':
        args.latencyMs = int();
        break;
      case '--app-dist':
        args.appDist = path.resolve(value());
        break;
      case '--json':
        args.json = path.resolve(value());
        break;
      case '--no-docs':
        args.docs = false;
        break;
      case '--keep-temp':
        args.keepTemp = true;
        break;
      case '--profile':
        args.profile = true;
        break;
      case '--help':
      case '-h':
        args.help = true;
        break;
      default:
        throw new Error(`unknown option ${flag}`);
    }
  }
  return args;
}

const log = line =>
  process.stderr.write(
    `[bench:browser ${new Date().toISOString().slice(11, 19)}] ${line}\n`,
  );
const load = () => os.loadavg().map(l => Math.round(l * 100) / 100);
const sleep = ms => new Promise(r => setTimeout(r, ms));

/** The views measured: what to open, what to wait for, which API answer feeds it. */
function views(owner) {
  return [
    {
      id: 'deployments',
      label: 'Deployments page `/gitops`',
      path: '/gitops',
      probe: 'deploymentsRow',
      api: /\/api\/gitops\/deployments\?/,
    },
    {
      id: 'deployments-owner',
      label: `Deployments page \`/gitops?owner=${owner}\``,
      path: `/gitops?owner=${encodeURIComponent(owner)}`,
      probe: 'deploymentsRow',
      api: /\/api\/gitops\/deployments\?/,
    },
    {
      id: 'entity-tab',
      label: 'Entity tab `/catalog/default/component/svc-1/gitops`',
      path: '/catalog/default/component/svc-1/gitops',
      probe: 'entityObjectsRow',
      api: /\/api\/gitops\/entity\/component\/default\/svc-1\/status$/i,
    },
    {
      // The same page with half the rows: how much of the time after the answer is per row.
      id: 'deployments-25-rows',
      label: 'Deployments page `/gitops?size=25` (25 rows instead of 50)',
      path: '/gitops?size=25',
      probe: 'deploymentsRow',
      api: /\/api\/gitops\/deployments\?/,
    },
    {
      id: 'deployments-empty-cache',
      label: 'Deployments page `/gitops`, empty HTTP cache',
      path: '/gitops',
      probe: 'deploymentsRow',
      api: /\/api\/gitops\/deployments\?/,
      emptyCache: true,
    },
  ];
}

async function getJson(url, headers = {}) {
  const res = await fetch(url, {
    headers,
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${res.statusText}`);
  return res.json();
}

/** A guest user's token, as the app's sign-in page gets it. */
async function guestToken(backend) {
  const body = await getJson(`${backend}/api/auth/guest/refresh`, {
    'X-Requested-With': 'XMLHttpRequest',
  });
  return body.backstageIdentity.token;
}

/** Direct calls per view after the navigations, and the pause between them. */
const DIRECT_CALLS = 15;
const DIRECT_SPACING_MS = 300;

const CLUSTERS = 50;
const OBJECTS_PER_CLUSTER = 200;

/** Filler objects of the services a team owns (packages/demo-fleet/src/scenario/fillers.ts). */
function fillersOwnedBy(team) {
  let n = 0;
  for (let c = 0; c < CLUSTERS; c++)
    for (let i = 0; i < OBJECTS_PER_CLUSTER; i++)
      if (
        `group:default/${teamOf(
          (c * OBJECTS_PER_CLUSTER + i) % FILLER_SERVICE_IDS,
        )}` === team
      )
        n++;
  return n;
}

/**
 * Until the backend serves the whole fleet bound to the whole bench catalog: the catalog ingests
 * its 1,000 services while the first collection sessions bind records, so a team's count grows
 * for a while.
 */
async function waitForCollection(backend, owner, backendProc) {
  const expectedOwned = fillersOwnedBy(owner);
  let previous;
  return waitFor(
    'collection of ≥ 10,000 records bound to the catalog',
    async () => {
      const token = await guestToken(backend);
      const auth = { Authorization: `Bearer ${token}` };
      const all = await getJson(
        `${backend}/api/gitops/deployments?limit=1`,
        auth,
      );
      const owned = await getJson(
        `${backend}/api/gitops/deployments?limit=1&owner=${encodeURIComponent(
          owner,
        )}`,
        auth,
      );
      const svc1 = await getJson(
        `${backend}/api/gitops/entity/component/default/svc-1/status`,
        auth,
      );
      const now = {
        total: all.totalItems,
        owned: owned.totalItems,
        svc1: svc1.records.length,
      };
      log(
        `records ${now.total}, owner ${now.owned} of ${expectedOwned}, svc-1 ${
          now.svc1
        } (load ${load().join(' ')})`,
      );
      const ready =
        now.total >= 10_000 &&
        now.owned >= expectedOwned &&
        now.svc1 > 0 &&
        previous &&
        previous.total === now.total &&
        previous.owned === now.owned &&
        previous.svc1 === now.svc1;
      previous = now;
      return ready ? now : undefined;
    },
    { timeoutMs: 900_000, intervalMs: 5000, proc: backendProc },
  );
}

/** Until the backend uses less than a fifth of a core over 3 s (its first cycles done), ≤ 120 s. */
async function waitForQuietBackend(pid) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const before = cpuMs(pid);
    await sleep(3000);
    const share = (cpuMs(pid) - before) / 3000;
    if (share < 0.2 || Date.now() > deadline) {
      log(
        `backend at ${Math.round(share * 100)} % of a core (load ${load().join(
          ' ',
        )})`,
      );
      return share;
    }
  }
}

async function signIn(context, appUrl) {
  const page = await context.newPage();
  await page.goto(`${appUrl}/`);
  await page.getByRole('button', { name: 'Enter' }).click();
  await page
    .getByRole('link', { name: 'Catalog' })
    .first()
    .waitFor({ state: 'visible', timeout: 60_000 });
  await page.close();
}

async function measureOnce(context, appUrl, view, backendPid) {
  const page = await context.newPage();
  const requests = [];
  page.on('requestfinished', req => {
    if (req.url().includes('/api/'))
      requests.push({
        url: req.url(),
        method: req.method(),
        timing: req.timing(),
      });
  });
  if (view.emptyCache) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    await cdp.detach();
  }
  const loadBefore = load();
  const cpuBefore = cpuMs(backendPid);
  const painted = waitPainted(page, view.probe);
  await page.goto(`${appUrl}${view.path}`, {
    waitUntil: 'commit',
    timeout: 60_000,
  });
  await painted;
  // Late LCP candidates and requests the view makes after its rows (history, signals).
  await page.waitForTimeout(750);
  const data = await page.evaluate(collectInPage);
  const cpu = cpuMs(backendPid) - cpuBefore;
  await page.close();
  return { ...data, requests, load: loadBefore, backendCpuMs: cpu };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  for (const [name, port] of Object.entries(args.ports)) {
    if (await portInUse(port))
      throw new Error(
        `port ${port} (${name}) is in use: choose another with --${name}-port`,
      );
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-bench-browser-'));
  tempDir = tmp;
  log(`temp folder ${tmp}`);
  const appUrl = `http://localhost:${args.ports.app}`;
  const backendUrl = `http://localhost:${args.ports.backend}`;
  const owner = 'group:default/team-bench-3';
  const node = process.execPath;
  const env = {
    ...process.env,
    PATH: `${path.join(repoRoot, 'node_modules/.bin')}${path.delimiter}${
      process.env.PATH
    }`,
  };
  const startedAt = new Date();
  let browser;
  let finished = false;

  try {
    // 1. The fleet.
    const fleetDir = path.join(tmp, 'fleet');
    const fleetProc = startGroup(
      'fleet',
      node,
      [
        path.join(repoRoot, 'packages/demo-fleet/bin/demo-fleet.js'),
        '--port',
        String(args.ports.fleet),
        '--clusters',
        String(CLUSTERS),
        '--objects-per-cluster',
        String(OBJECTS_PER_CLUSTER),
        '--latency-ms',
        String(args.latencyMs),
        '--out-dir',
        fleetDir,
      ],
      { cwd: repoRoot, env, logFile: path.join(tmp, 'fleet.log') },
    );
    const fleet = await waitFor(
      'demo fleet',
      () =>
        fs.existsSync(path.join(fleetDir, 'fleet.json')) &&
        JSON.parse(fs.readFileSync(path.join(fleetDir, 'fleet.json'), 'utf8')),
      { timeoutMs: 120_000, intervalMs: 250, proc: fleetProc },
    );
    log(`fleet ${fleet.url}: ${fleet.clusters.length} clusters`);

    // 2. Config, backend (as `backstage-cli package start` runs it, without its file watcher: a
    // change elsewhere in the repository would restart it and empty its in-memory database).
    const { configFile } = writeBenchConfig({
      dir: tmp,
      repoRoot,
      fleet,
      ports: args.ports,
    });
    const backendProc = startGroup(
      'backend',
      node,
      [
        '--enable-source-maps',
        '--require',
        require.resolve('@backstage/cli-node/config/nodeTransform.cjs', {
          paths: [repoRoot],
        }),
        'src/index',
        '--config',
        path.join(repoRoot, 'app-config.yaml'),
        '--config',
        configFile,
      ],
      {
        cwd: path.join(repoRoot, 'packages/backend'),
        env: {
          ...env,
          NODE_ENV: 'development',
          NODE_EXTRA_CA_CERTS: path.join(fleetDir, 'ca.pem'),
          ESBK_TSCONFIG_PATH: path.join(repoRoot, 'tsconfig.json'),
        },
        logFile: path.join(tmp, 'backend.log'),
      },
    );

    // 3. The app, production build (meanwhile the backend starts and collects).
    let dist = args.appDist ?? path.join(tmp, 'app-dist');
    let buildMs;
    if (args.appDist && fs.existsSync(path.join(dist, 'index.html'))) {
      log(`reusing the app build in ${dist}`);
    } else {
      const frontendConfig = writeFrontendConfig({
        dir: tmp,
        ports: args.ports,
      });
      const t0 = Date.now();
      const build = startGroup(
        'app build',
        node,
        [
          path.join(__dirname, 'lib/build-app.js'),
          dist,
          path.join(repoRoot, 'app-config.yaml'),
          frontendConfig,
        ],
        {
          cwd: path.join(repoRoot, 'packages/app'),
          env: { ...env, NODE_ENV: 'production' },
          logFile: path.join(tmp, 'build.log'),
        },
      );
      await waitFor('app build', () => build.exited, {
        timeoutMs: 600_000,
        intervalMs: 500,
      });
      if (build.exitCode !== 0)
        throw new Error(`app build failed; see ${build.logFile}`);
      buildMs = Date.now() - t0;
      log(`app built in ${(buildMs / 1000).toFixed(1)} s`);
    }
    const staticProc = startGroup(
      'static server',
      node,
      [
        path.join(__dirname, 'lib/static-server.js'),
        dist,
        String(args.ports.app),
      ],
      { cwd: repoRoot, env, logFile: path.join(tmp, 'static.log') },
    );
    await waitFor('static server', async () => (await fetch(`${appUrl}/`)).ok, {
      timeoutMs: 30_000,
      intervalMs: 250,
      proc: staticProc,
    });

    await waitFor(
      'backend readiness',
      async () =>
        (
          await fetch(`${backendUrl}/.backstage/health/v1/readiness`)
        ).ok,
      { timeoutMs: 300_000, intervalMs: 1000, proc: backendProc },
    );
    log('backend ready; waiting for the collection');
    const collected = await waitForCollection(backendUrl, owner, backendProc);
    const quietShare = await waitForQuietBackend(backendProc.pid);

    // 4. Chromium.
    const { chromium } = require(require.resolve('playwright-core', {
      paths: [repoRoot],
    }));
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({
      viewport: { width: 1400, height: 1000 },
    });
    await installProbe(context);
    await signIn(context, appUrl);
    log(`signed in as guest (Chromium ${browser.version()})`);

    const measured = views(owner);
    const samples = Object.fromEntries(measured.map(v => [v.id, []]));
    // Round 0 warms up (bundle in the HTTP cache, backend caches); rounds interleave the views so
    // a burst of load on the machine touches all of them alike.
    for (let round = 0; round <= args.runs; round++) {
      for (const view of measured) {
        const sample = await measureOnce(
          context,
          appUrl,
          view,
          backendProc.pid,
        );
        const s = summarise(sample, view);
        log(
          `${round === 0 ? 'warm-up' : `run ${round}`} ${
            view.id
          }: row painted ${s.interactive?.toFixed(
            0,
          )} ms, API ${s.apiStart?.toFixed(0)}→${s.apiEnd?.toFixed(
            0,
          )} ms, FCP ${s.fcp?.toFixed(0)}, LCP ${s.lcp?.toFixed(
            0,
          )} (load ${sample.load.join(' ')})`,
        );
        if (round > 0) samples[view.id].push({ raw: sample, summary: s });
      }
    }

    // The same API calls from Node, one at a time and spaced out, after the navigations: what the
    // backend takes for the view's answer alone, to set beside the wait seen in Chromium.
    const direct = {};
    {
      const token = await guestToken(backendUrl);
      for (const view of measured) {
        const url = samples[view.id]
          .flatMap(s => s.raw.requests)
          .find(r => r.method === 'GET' && view.api.test(r.url))?.url;
        if (!url) continue;
        const times = [];
        for (let i = 0; i < DIRECT_CALLS; i++) {
          const t0 = performance.now();
          const res = await fetch(url, {
            headers: { authorization: `Bearer ${token}` },
            signal: AbortSignal.timeout(30_000),
          });
          await res.arrayBuffer();
          if (res.ok) times.push(performance.now() - t0);
          await sleep(DIRECT_SPACING_MS);
        }
        direct[view.id] = times;
        log(
          `backend alone, ${view.id}: ${times
            .map(t => t.toFixed(0))
            .join(' ')} ms`,
        );
      }
    }

    const result = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
        os: `${os.type()} ${os.release()}`,
        node: process.version,
        chromium: browser.version(),
      },
      commit: require('node:child_process')
        .execSync('git rev-parse --short HEAD', { cwd: repoRoot })
        .toString()
        .trim(),
      dirty:
        require('node:child_process')
          .execSync('git status --porcelain -- plugins packages', {
            cwd: repoRoot,
          })
          .toString()
          .trim() !== '',
      bundle: 'production',
      buildMs,
      runs: args.runs,
      latencyMs: args.latencyMs,
      collected,
      backendShareBeforeRuns: quietShare,
      views: measured.map(v => ({
        id: v.id,
        label: v.label,
        samples: samples[v.id].map(s => s.summary),
        direct: direct[v.id],
      })),
      raw: Object.fromEntries(
        Object.entries(samples).map(([id, list]) => [id, list.map(s => s.raw)]),
      ),
    };
    const jsonFile = args.json ?? path.join(os.tmpdir(), 'browser-bench.json');
    if (args.profile) {
      const notes = [];
      for (const view of measured) {
        const profiled = await profileNavigation(
          context,
          `${appUrl}${view.path}`,
          view,
          dist,
        );
        const text = describeProfile(view.id, profiled);
        log(`profile\n${text}`);
        notes.push(text);
        fs.writeFileSync(
          jsonFile.replace(/\.json$/, '') + `.${view.id}.cpuprofile`,
          JSON.stringify(profiled.profile),
        );
        delete profiled.profile;
        (result.profiles ??= {})[view.id] = profiled;
      }
      fs.writeFileSync(
        jsonFile.replace(/\.json$/, '') + '.profile.md',
        `${notes.join('\n\n')}\n`,
      );
    }
    fs.writeFileSync(jsonFile, JSON.stringify(result, null, 2));
    const table = markdown(result);
    process.stdout.write(`${table}\n`);
    log(`raw figures in ${jsonFile}`);
    if (args.docs) {
      writeDocs(path.join(repoRoot, 'docs/performance.md'), table);
      log('docs/performance.md: "In Chromium" block rewritten');
    }
    finished = true;
  } finally {
    if (browser) await browser.close().catch(() => {});
    await stopAll();
    // Logs stay when the run failed.
    if (finished && !args.keepTemp)
      fs.rmSync(tmp, { recursive: true, force: true });
    else
      log(`kept ${tmp} (logs: fleet.log, backend.log, build.log, static.log)`);
  }
}

let stopping = false;
let tempDir;
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(
      `${signal}: stopping what this run started${
        tempDir ? `; logs kept in ${tempDir}` : ''
      }`,
    );
    stopAll().finally(() => process.exit(130));
  });

main().catch(error => {
  log(`failed: ${error && error.stack ? error.stack : error}`);
  process.exitCode = 1;
});
