'use strict';
/*
 * One profiled navigation (`--profile`): a V8 CPU profile of the page and Chromium's network log,
 * both on Chromium's monotonic clock, so the profile splits at the view's API call: main-thread
 * time before the call is sent (the app starting), between sending and the answer, and from the
 * answer until the row is painted (rendering). Samples are mapped through the build's source maps
 * to npm packages and functions. Not used for the timings themselves (the profiler slows the page).
 */
const fs = require('node:fs');
const path = require('node:path');
const { waitPainted } = require('./probe');

function loadSourceMaps(distDir) {
  let SourceMapConsumer;
  try {
    // A dependency of the build tooling, hoisted to the root node_modules.
    ({ SourceMapConsumer } = require(require.resolve('source-map-js', {
      paths: [path.resolve(__dirname, '../../../..')],
    })));
  } catch {
    return () => undefined;
  }
  const consumers = new Map();
  return (url, line, column) => {
    const m = /\/static\/([^/?#]+\.js)/.exec(url);
    if (!m) return undefined;
    let consumer = consumers.get(m[1]);
    if (consumer === undefined) {
      const file = path.join(distDir, 'static', `${m[1]}.map`);
      consumer = fs.existsSync(file)
        ? new SourceMapConsumer(JSON.parse(fs.readFileSync(file, 'utf8')))
        : null;
      consumers.set(m[1], consumer);
    }
    if (!consumer) return undefined;
    const pos = consumer.originalPositionFor({ line: line + 1, column });
    return pos.source ? pos : undefined;
  };
}

/** "react-dom", "@material-ui/core", "this plugin (plugins/gitops)", … */
function packageOf(source) {
  const nm = source.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = source.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const ws = /(plugins|packages)\/([^/]+)\//.exec(source);
  if (ws) return `${ws[1]}/${ws[2]} (this repository)`;
  if (source.includes('webpack/runtime')) return 'bundler runtime';
  return source.replace(/^webpack:\/\/\//, '').slice(0, 60);
}

const PROBE_LAYOUT =
  '(style + layout: forced by the probe at the start of the frame that paints the row, which would do it next)';

/** Natives whose self time is the browser's work they trigger. */
const NATIVE = {
  getBoundingClientRect: PROBE_LAYOUT,
  // The probe's own function (lib/probe.js), when its getBoundingClientRect is inlined into it.
  frame: PROBE_LAYOUT,
  insertBefore: '(DOM insertBefore)',
  appendChild: '(DOM appendChild)',
  '(program)': '(program: parsing, compiling, browser work outside JS)',
};

/** Self time (ms) by package and by function, per phase [from, to) in profile µs. */
function attribute(profile, phases, resolve) {
  const nodes = new Map(profile.nodes.map(n => [n.id, n]));
  const where = new Map();
  const describe = node => {
    let d = where.get(node.id);
    if (d) return d;
    const f = node.callFrame;
    if (!f.url) {
      const name = NATIVE[f.functionName] ?? (f.functionName || '(anonymous)');
      d = { pkg: name, fn: name };
    } else {
      const pos = resolve(f.url, f.lineNumber, f.columnNumber);
      if (pos) {
        d = {
          pkg: packageOf(pos.source),
          fn: `${pos.name || f.functionName || '(anonymous)'} (${pos.source
            .replace(/^webpack:\/\/\//, '')
            .replace(/^(\.\.\/)+/, '')
            .replace(/^.*node_modules\//, '')}:${pos.line})`,
        };
      } else {
        const file = f.url.replace(/^https?:\/\/[^/]+/, '');
        d = {
          pkg: file,
          fn: `${f.functionName || '(anonymous)'} (${file}:${
            f.lineNumber + 1
          })`,
        };
      }
    }
    where.set(node.id, d);
    return d;
  };
  const out = phases.map(p => ({
    ...p,
    totalMs: 0,
    byPackage: new Map(),
    byFunction: new Map(),
  }));
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const node = nodes.get(profile.samples[i]);
    const d = describe(node);
    if (d.pkg === '(idle)') continue;
    for (const p of out) {
      if (t < p.from || t >= p.to) continue;
      p.totalMs += dt;
      p.byPackage.set(d.pkg, (p.byPackage.get(d.pkg) ?? 0) + dt);
      p.byFunction.set(d.fn, (p.byFunction.get(d.fn) ?? 0) + dt);
    }
  }
  const top = (map, n) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({ name, ms: Math.round(ms * 10) / 10 }));
  return out.map(p => ({
    phase: p.phase,
    fromMs: p.fromMs,
    toMs: p.toMs,
    busyMs: Math.round(p.totalMs),
    packages: top(p.byPackage, 12),
    functions: top(p.byFunction, 15),
  }));
}

/**
 * Navigates a new page of the context to the view with the profiler and the network log on.
 * Returns the network waterfall (ms since the document request) and the main-thread split.
 */
async function profileNavigation(context, url, view, distDir) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const requests = new Map();
  cdp.on('Network.requestWillBeSent', e => {
    requests.set(e.requestId + (e.type === 'Preflight' ? ':preflight' : ''), {
      url: e.request.url,
      method: e.request.method,
      type: e.type,
      start: e.timestamp,
    });
  });
  cdp.on('Network.responseReceived', e => {
    const r = requests.get(
      e.requestId + (e.type === 'Preflight' ? ':preflight' : ''),
    );
    if (r) r.response = e.timestamp;
  });
  cdp.on('Network.loadingFinished', e => {
    const r =
      requests.get(e.requestId) ?? requests.get(`${e.requestId}:preflight`);
    if (r) r.end = e.timestamp;
  });
  // Same site first: the profiler lives in the renderer, which a cross-site navigation replaces.
  await page.goto(new URL('/robots.txt', url).href);
  await cdp.send('Network.enable');
  if (view.emptyCache) await cdp.send('Network.clearBrowserCache');
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  const paintedSignal = waitPainted(page, view.probe);
  await page.goto(url, { waitUntil: 'commit', timeout: 60_000 });
  const painted = await paintedSignal;
  const { profile } = await cdp.send('Profiler.stop');
  await page.waitForTimeout(300);
  await page.close();

  const all = [...requests.values()]
    .filter(r => !r.url.endsWith('/robots.txt'))
    .sort((a, b) => a.start - b.start);
  const doc = all.find(r => r.type === 'Document');
  const t0 = doc ? doc.start : all[0].start; // seconds, monotonic
  const rel = s =>
    s === undefined ? undefined : Math.round((s - t0) * 10000) / 10;
  const waterfall = all.map(r => ({
    url: r.url.replace(/^https?:\/\/[^/]+/, ''),
    method: r.method,
    type: r.type,
    start: rel(r.start),
    response: rel(r.response),
    end: rel(r.end),
  }));
  const api = all.find(
    r => view.api.test(r.url) && r.method === 'GET' && r.type !== 'Preflight',
  );
  const us = ms => t0 * 1e6 + ms * 1000;
  const sent = api ? rel(api.start) : undefined;
  const answered = api ? rel(api.end ?? api.response) : undefined;
  const phases = [
    { phase: "navigation start → view's API call sent", fromMs: 0, toMs: sent },
    { phase: 'call sent → answer in', fromMs: sent, toMs: answered },
    { phase: 'answer in → first row painted', fromMs: answered, toMs: painted },
  ]
    .filter(p => p.fromMs !== undefined && p.toMs !== undefined)
    .map(p => ({ ...p, from: us(p.fromMs), to: us(p.toMs) }));
  const split = attribute(profile, phases, loadSourceMaps(distDir));
  return { painted, waterfall, split, profile };
}

function describeProfile(viewId, result) {
  const lines = [
    `### ${viewId}: first row painted at ${Math.round(
      result.painted,
    )} ms (profiled)`,
  ];
  lines.push(
    '',
    'Network (ms since the document request; start → response → end):',
  );
  for (const r of result.waterfall)
    if (!r.url.startsWith('/static/') || r.type !== 'Script')
      lines.push(
        `  ${String(r.start).padStart(7)} → ${String(r.response ?? '').padStart(
          7,
        )} → ${String(r.end ?? '').padStart(7)}  ${r.type.padEnd(10)} ${
          r.method
        } ${r.url.slice(0, 100)}`,
      );
  const scripts = result.waterfall.filter(r => r.type === 'Script');
  if (scripts.length)
    lines.push(
      `  scripts: ${scripts.length}, first at ${Math.min(
        ...scripts.map(s => s.start),
      )}, last done at ${Math.max(
        ...scripts.map(s => s.end ?? 0),
      )}; lazy ones after 100 ms: ${scripts
        .filter(s => s.start > 100)
        .map(s => `${s.start}`)
        .join(', ')}`,
    );
  for (const p of result.split) {
    lines.push(
      '',
      `${p.phase} (${p.fromMs}–${Math.round(p.toMs)} ms): main thread busy ${
        p.busyMs
      } ms, idle ${Math.max(0, Math.round(p.toMs - p.fromMs - p.busyMs))} ms`,
    );
    lines.push(
      `  packages: ${p.packages.map(x => `${x.name} ${x.ms}`).join(', ')}`,
    );
    for (const f of p.functions.slice(0, 10))
      lines.push(`  ${String(f.ms).padStart(6)} ms  ${f.name}`);
  }
  return lines.join('\n');
}

module.exports = { profileNavigation, describeProfile };
