'use strict';
/*
 * What runs inside the page. Installed on every document of the context before the app's own
 * scripts; once per animation frame it looks for the element a view is "interactive" at and
 * records, against the navigation start (performance.now()):
 *   inDom   — the start of the first frame in which the element is in the document with a layout
 *             box (the requestAnimationFrame callback of that frame),
 *   painted — that frame has been painted: a task posted from its requestAnimationFrame callback
 *             runs after the frame's paint.
 * Then it calls the binding `__gitopsBenchPainted(probe, ms)` when the driver exposed one, so the
 * driver does not poll. It also keeps the Largest Contentful Paint and long task entries.
 * Cost: a length check per frame, a querySelector in frames where table rows were added; the
 * layout getBoundingClientRect forces is the one the frame does next anyway. (A MutationObserver
 * version cost 30 ms of selector matching on the entity tab: every DOM change of the app's
 * start-up ran it; a querySelector in every frame 17 ms.)
 */

/** The element each view waits for. */
const PROBES = {
  // The deployments table's first row (DeploymentsTable.tsx, data-testid="deployment-row").
  deploymentsRow: '[data-testid="deployment-row"]',
  // The entity tab's objects: first row of a "<tool> objects on <cluster>" table (ObjectsSection.tsx).
  entityObjectsRow: 'table[aria-label*=" objects on "] tbody tr',
};

function initScript(probes) {
  if (window.top !== window) return;
  const marks = {};
  const lcp = [];
  const longTasks = [];
  window.__gitopsBench = { marks, lcp, longTasks };
  try {
    new PerformanceObserver(list => {
      for (const e of list.getEntries())
        longTasks.push({ startTime: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // No long task timing: the column stays empty.
  }
  try {
    new PerformanceObserver(list => {
      for (const e of list.getEntries())
        lcp.push({
          startTime: e.startTime,
          size: e.size,
          element: e.element
            ? `${e.element.tagName.toLowerCase()}${
                e.element.id ? `#${e.element.id}` : ''
              }${
                e.element.getAttribute && e.element.getAttribute('data-testid')
                  ? `[data-testid=${e.element.getAttribute('data-testid')}]`
                  : ''
              }`
            : undefined,
          text: e.element
            ? (e.element.textContent || '').slice(0, 40)
            : undefined,
        });
    }).observe({ type: 'largest-contentful-paint', buffered: true });
  } catch {
    // No LCP in this browser: the column stays empty.
  }
  const pending = new Set(Object.keys(probes));
  // Every probe is a table row: the selectors run only in frames where the number of rows changed
  // (a live collection's length is cheap to read).
  const rows = document.getElementsByTagName('tr');
  let rowCount = 0;
  const frame = () => {
    if (rows.length === rowCount) {
      requestAnimationFrame(frame);
      return;
    }
    rowCount = rows.length;
    for (const name of pending) {
      const el = document.querySelector(probes[name]);
      if (!el) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) {
        rowCount = -1; // there but not laid out yet: look again next frame
        continue;
      }
      // One view, one probe: stop looking for the others.
      pending.clear();
      const mark = { inDom: performance.now() };
      marks[name] = mark;
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        mark.painted = performance.now();
        if (typeof window.__gitopsBenchPainted === 'function')
          window.__gitopsBenchPainted(name, mark.painted);
      };
      channel.port2.postMessage(0);
    }
    if (pending.size) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

/** Everything the page knows about its own load, relative to its navigation start. */
function collectInPage() {
  const nav = performance.getEntriesByType('navigation')[0];
  const paint = Object.fromEntries(
    performance.getEntriesByType('paint').map(p => [p.name, p.startTime]),
  );
  const resources = performance.getEntriesByType('resource').map(r => ({
    name: r.name,
    initiatorType: r.initiatorType,
    startTime: r.startTime,
    requestStart: r.requestStart,
    responseStart: r.responseStart,
    responseEnd: r.responseEnd,
    transferSize: r.transferSize,
    encodedBodySize: r.encodedBodySize,
    decodedBodySize: r.decodedBodySize,
  }));
  const longTasks = window.__gitopsBench.longTasks;
  const count = document.querySelector('[data-testid="deployments-count"]');
  return {
    timeOrigin: performance.timeOrigin,
    nav: nav && {
      responseStart: nav.responseStart,
      responseEnd: nav.responseEnd,
      domInteractive: nav.domInteractive,
      domContentLoaded: nav.domContentLoadedEventEnd,
      load: nav.loadEventEnd,
    },
    fcp: paint['first-contentful-paint'],
    lcp: window.__gitopsBench.lcp,
    marks: window.__gitopsBench.marks,
    resources,
    longTasks,
    deploymentsCount: count ? count.textContent : undefined,
    entityObjectRows: document.querySelectorAll(
      'table[aria-label*=" objects on "] tbody tr',
    ).length,
  };
}

const waiters = new Map();

/** The probe script and the binding it reports through, on every page of the context. */
async function installProbe(context) {
  await context.exposeBinding('__gitopsBenchPainted', ({ page }, name, ms) => {
    const waiter = waiters.get(page);
    if (waiter && waiter.probe === name) waiter.resolve(ms);
  });
  await context.addInitScript(initScript, PROBES);
}

/** Resolves with the probe's paint time (ms since navigation start); set up before navigating. */
function waitPainted(page, probe, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiters.delete(page);
      reject(
        new Error(
          `${probe}: not painted within ${timeoutMs / 1000} s on ${page.url()}`,
        ),
      );
    }, timeoutMs);
    waiters.set(page, {
      probe,
      resolve: ms => {
        clearTimeout(timer);
        waiters.delete(page);
        resolve(ms);
      },
    });
  });
}

module.exports = { PROBES, installProbe, waitPainted, collectInPage };
