'use strict';
/*
 * The demo fleet in its own process (so the backend's CPU and memory figures are the backend's),
 * on a free port, with a manual clock: the scenario only moves when the benchmark advances it.
 */
require('@backstage/cli/config/nodeTransform.cjs');
const { startDemoFleet } = require('@gitops-status/demo-fleet');
const { serve } = require('./lib/ipc');

let fleet;

const identity = o => `${o.cluster}/${o.kind}/${o.namespace}/${o.name}`;
/** What the scenario says about every object, to count how many an advance changes. */
function scenarioState() {
  return new Map(
    fleet.scenario.objects.map(o => [identity(o), JSON.stringify(o)]),
  );
}

serve({
  async start(options) {
    const t0 = performance.now();
    fleet = await startDemoFleet({ ...options, port: 0, clock: 'manual' });
    return {
      startMs: performance.now() - t0,
      url: fleet.url,
      token: fleet.token,
      caPem: fleet.caPem,
      clusters: fleet.clusters,
      objects: fleet.scenario.objects.length,
    };
  },
  requestCount: filter => fleet.requestCount(filter),
  reset: () => fleet.resetRequestCount(),
  advance({ ms }) {
    const before = scenarioState();
    fleet.advance(ms);
    const after = scenarioState();
    let changed = 0;
    const kinds = {};
    for (const [id, state] of after) {
      if (before.get(id) !== state) {
        changed++;
        const kind = id.split('/')[1];
        kinds[kind] = (kinds[kind] || 0) + 1;
      }
    }
    return {
      elapsedMs: fleet.scenario.elapsedMs,
      changed,
      total: after.size,
      kinds,
    };
  },
  async stop() {
    await fleet?.stop();
  },
});
