'use strict';
/*
 * From one navigation's page data to its phases, and from every navigation to the markdown block
 * written into docs/performance.md between the markers below.
 */
const fs = require('node:fs');
const path = require('node:path');

const BEGIN =
  '<!-- bench:browser:begin (written by test/bench/browser/run.js) -->';
const END = '<!-- bench:browser:end -->';

/** Backend CPU during one navigation above which a collection session was running too. */
const BUSY_BACKEND_MS = 1000;

const last = list => (list.length ? list[list.length - 1] : undefined);
const valid = x =>
  typeof x === 'number' && Number.isFinite(x) ? x : undefined;

/** One navigation, in ms since its navigation start. */
function summarise(sample, view) {
  const mark = sample.marks[view.probe] ?? {};
  const api = sample.resources.find(r => view.api.test(r.name));
  const apiRequest = sample.requests.find(
    r => r.method === 'GET' && view.api.test(r.url),
  );
  const timing = apiRequest?.timing;
  const apiStart = api?.startTime;
  const apiEnd = api?.responseEnd;
  const painted = valid(mark.painted);
  const scripts = sample.resources.filter(
    r =>
      r.initiatorType === 'script' &&
      (apiStart === undefined || r.startTime < apiStart),
  );
  const apiCalls = sample.resources.filter(
    r =>
      r.name.includes('/api/') &&
      (painted === undefined || r.startTime < painted),
  );
  const longTasks = (from, to) =>
    sample.longTasks
      .filter(t => t.startTime >= from && t.startTime < to)
      .reduce((sum, t) => sum + t.duration, 0);
  const lcp = last(sample.lcp);
  return {
    fcp: valid(sample.fcp),
    lcp: lcp?.startTime,
    lcpElement: lcp && `${lcp.element ?? '?'} "${(lcp.text ?? '').trim()}"`,
    documentEnd: sample.nav?.responseEnd,
    domContentLoaded: sample.nav?.domContentLoaded,
    scriptsEnd: scripts.length
      ? Math.max(...scripts.map(r => r.responseEnd))
      : undefined,
    scripts: scripts.length,
    firstApiStart: apiCalls.length
      ? Math.min(...apiCalls.map(r => r.startTime))
      : undefined,
    apiCallsBeforeRow: apiCalls.length,
    apiCalls: apiCalls.map(r => ({
      path: r.name.replace(/^https?:\/\/[^/]+/, '').replace(/\?.*/, '?…'),
      start: r.startTime,
      end: r.responseEnd,
    })),
    apiStart,
    apiEnd,
    // Chromium's own timing of the request (Playwright): waiting for the first byte, then the body.
    apiWait:
      timing && timing.responseStart >= 0 && timing.requestStart >= 0
        ? timing.responseStart - timing.requestStart
        : undefined,
    apiDownload:
      timing && timing.responseEnd >= 0 && timing.responseStart >= 0
        ? timing.responseEnd - timing.responseStart
        : undefined,
    inDom: valid(mark.inDom),
    interactive: painted,
    renderAfterApi:
      painted !== undefined && apiEnd !== undefined
        ? painted - apiEnd
        : undefined,
    longTasksBeforeApi:
      apiStart !== undefined ? longTasks(0, apiStart) : undefined,
    longTasksAfterApi:
      apiEnd !== undefined && painted !== undefined
        ? longTasks(apiEnd, painted)
        : undefined,
    backendCpuMs: sample.backendCpuMs,
    load1: sample.load[0],
    shown: sample.deploymentsCount || `${sample.entityObjectRows} object rows`,
  };
}

/** Nearest-rank percentile. */
function percentile(values, p) {
  const sorted = values.filter(v => v !== undefined).sort((a, b) => a - b);
  if (!sorted.length) return undefined;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

const ms = v => (v === undefined ? '–' : Math.round(v).toLocaleString('en-US'));
const pair = (samples, key) => {
  const values = samples.map(s => s[key]);
  return `${ms(percentile(values, 50))} / ${ms(percentile(values, 100))}`;
};

function markdown(result) {
  const loads = result.views.flatMap(v => v.samples.map(s => s.load1));
  const m = result.machine;
  const lines = [];
  lines.push(
    `Run of ${result.startedAt
      .slice(0, 16)
      .replace('T', ' ')}–${result.finishedAt.slice(11, 16)} UTC, commit \`${
      result.commit
    }\`${
      result.dirty ? ' plus uncommitted changes in plugins/ or packages/' : ''
    }; ${m.cpus} vCPUs (${m.cpuModel}), ${m.memGiB} GiB, ${m.os}, Node ${
      m.node
    }, Chromium ${m.chromium} headless; ` +
      `**${result.bundle} bundle** of packages/app${
        result.buildMs
          ? ` (built in ${(result.buildMs / 1000).toFixed(0)} s)`
          : ''
      } served gzipped from a static server on :3100, backend on :7107 (SQLite in memory, not watched), fleet 50 clusters × 200 fillers with ${
        result.latencyMs
      } ms latency; ` +
      `${result.collected.total.toLocaleString(
        'en-US',
      )} records (${result.collected.owned.toLocaleString(
        'en-US',
      )} owned by team-bench-3, ${result.collected.svc1} for svc-1); ` +
      `**load average (1 min) ${Math.min(...loads).toFixed(2)}–${Math.max(
        ...loads,
      ).toFixed(2)}** during the navigations. ` +
      `${result.runs} navigations per view after one warm-up, views interleaved, a new page each time in one signed-in context (HTTP cache warm unless stated). Times in ms since navigation start, p50 / max.`,
  );
  lines.push('');
  lines.push(
    '| view | first row painted ("interactive") | FCP | LCP | API answer arrived | after the answer until painted | shown |',
  );
  lines.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const v of result.views) {
    const s = v.samples;
    lines.push(
      `| ${v.label} | **${pair(s, 'interactive')}** | ${pair(
        s,
        'fcp',
      )} | ${pair(s, 'lcp')} | ${pair(s, 'apiEnd')} | ${pair(
        s,
        'renderAfterApi',
      )} | ${s[0]?.shown ?? ''} |`,
    );
  }
  const busy = result.views.flatMap(v =>
    v.samples
      .map((s, i) => ({ v, s, i }))
      .filter(({ s }) => s.backendCpuMs >= BUSY_BACKEND_MS),
  );
  lines.push('');
  lines.push(
    busy.length
      ? `Navigations during which the backend used ≥ ${
          BUSY_BACKEND_MS / 1000
        } s of CPU (a collection session listing the fleet at the same time; a view alone costs it 0.1–0.4 s): ${busy
          .map(
            ({ v, s, i }) =>
              `${v.id} run ${i + 1} — row painted at ${ms(
                s.interactive,
              )} ms, the API waited ${ms(
                s.apiWait,
              )} ms for its first byte, backend CPU ${ms(s.backendCpuMs)} ms`,
          )
          .join('; ')}.`
      : `No navigation overlapped a collection session's listing (backend CPU < ${
          BUSY_BACKEND_MS / 1000
        } s during each).`,
  );
  const direct = result.views.filter(v => v.direct?.length);
  if (direct.length) {
    lines.push('');
    lines.push(
      `The view's API call alone, from Node after the navigations (${
        direct[0].direct.length
      } calls each, 300 ms apart; p50 / max ms): ${direct
        .map(
          v =>
            `${v.id} ${ms(percentile(v.direct, 50))} / ${ms(
              Math.max(...v.direct),
            )}`,
        )
        .join(
          '; ',
        )}. The first call of a filter after a counted change also computes its totals and facets.`,
    );
  }
  lines.push('');
  lines.push(
    "Where the time goes (p50 of each point): document in, last script in before the view's call (bundle and lazy chunks; their number), first API call (identity), the view's API call sent, waiting for its first byte (Chromium's timing: ≈ the backend's time), answer complete, row in the DOM, row painted; main-thread long tasks (> 50 ms) before the call and between the answer and the paint; backend CPU during the navigation.",
  );
  lines.push('');
  lines.push(
    "| view | document | last script in (n) | first API call | view's call sent | wait for first byte | answer in | row in DOM | row painted | long tasks before call / after answer | backend CPU |",
  );
  lines.push(
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  const p50 = (s, key) =>
    ms(
      percentile(
        s.map(x => x[key]),
        50,
      ),
    );
  for (const v of result.views) {
    const s = v.samples;
    lines.push(
      `| ${v.label} | ${p50(s, 'documentEnd')} | ${p50(s, 'scriptsEnd')} (${
        percentile(
          s.map(x => x.scripts),
          50,
        ) ?? '–'
      }) | ${p50(s, 'firstApiStart')} | ${p50(s, 'apiStart')} | ${p50(
        s,
        'apiWait',
      )} | ${p50(s, 'apiEnd')} | ${p50(s, 'inDom')} | ${p50(
        s,
        'interactive',
      )} | ${p50(s, 'longTasksBeforeApi')} / ${p50(
        s,
        'longTasksAfterApi',
      )} | ${p50(s, 'backendCpuMs')} |`,
    );
  }
  return lines.join('\n');
}

/** The repository's prettier, so the file stays as `prettier --check .` wants it. */
function formatMarkdown(text, file) {
  try {
    const prettier = require(require.resolve('prettier', {
      paths: [path.dirname(file)],
    }));
    const options = prettier.resolveConfig.sync(file) ?? {};
    return prettier.format(text, { ...options, filepath: file });
  } catch {
    return text;
  }
}

/** Replaces the block between the markers (inserted before "## Not measured" the first time). */
function writeDocs(file, table) {
  const text = fs.readFileSync(file, 'utf8');
  const block = `${BEGIN}\n\n${table}\n\n${END}`;
  let out;
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin >= 0 && end > begin) {
    out = text.slice(0, begin) + block + text.slice(end + END.length);
  } else {
    const at = text.indexOf('## Not measured');
    const section = `## In Chromium\n\n${block}\n\n`;
    out =
      at >= 0
        ? text.slice(0, at) + section + text.slice(at)
        : `${text.trimEnd()}\n\n${section}`;
  }
  fs.writeFileSync(file, formatMarkdown(out, file));
}

module.exports = { summarise, markdown, writeDocs, percentile };
