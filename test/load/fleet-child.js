'use strict';
/*
 * The demo fleet in its own process, on a free port, with a manual clock: the scenario moves only
 * when the driver advances it (during the load, so that collection has changes to write; never
 * while the two replicas' answers are compared). Faults are set by the driver through the fleet's
 * HTTP control plane (POST /_fleet/faults), not through this channel.
 */
require('@backstage/cli/config/nodeTransform.cjs');
const { startDemoFleet } = require('@gitops-status/demo-fleet');
const { serve } = require('./lib/ipc');

let fleet;

serve({
  async start(options) {
    fleet = await startDemoFleet({ ...options, port: 0, clock: 'manual' });
    return {
      url: fleet.url,
      token: fleet.token,
      caPem: fleet.caPem,
      clusters: fleet.clusters,
      objects: fleet.scenario.objects.length,
    };
  },
  /** What the fleet serves right now, per object (computed from the timeline, not read back). */
  scenario() {
    const s = fleet.scenario;
    return { elapsedMs: s.elapsedMs, rollout: s.rollout, objects: s.objects };
  },
  requestCount: filter => fleet.requestCount(filter),
  async stop() {
    await fleet?.stop();
  },
});
