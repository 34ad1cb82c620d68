'use strict';
/*
 * What the shared database holds, read directly (the driver's own connection): record identities,
 * observations per source target, orphan rows, rows whose hash disagrees with their data, and the
 * store compared with what the demo fleet serves.
 */

/** What the store holds: record ids, observations by target, orphans, and row/hash consistency. */
async function storeState(db) {
  const records = await db('gitops_records').select(
    'record_id',
    'cluster',
    'hash',
    'data',
  );
  const observations = await db('gitops_observations').select(
    'target_id',
    'record_id',
    'hash',
    'data',
  );
  const bindings = await db('gitops_entity_bindings').select(
    'entity_ref',
    'record_id',
  );
  const recordIds = new Set(records.map(r => r.record_id));
  const observed = new Set(observations.map(o => o.record_id));
  const byTarget = {};
  for (const o of observations)
    byTarget[o.target_id] = (byTarget[o.target_id] || 0) + 1;
  return {
    records,
    observations,
    recordIds,
    byTarget,
    observationsWithoutRecord: observations.filter(
      o => !recordIds.has(o.record_id),
    ).length,
    recordsWithoutObservation: records.filter(r => !observed.has(r.record_id))
      .length,
    bindingsWithoutRecord: bindings.filter(b => !recordIds.has(b.record_id))
      .length,
  };
}

/** Rows whose stored hash is not the plugin's hash of the stored data (a half-written row). */
function hashMismatches(state, recordHash) {
  if (!recordHash) return undefined;
  let n = 0;
  for (const r of state.records)
    if (recordHash(JSON.parse(r.data)) !== r.hash) n++;
  for (const o of state.observations)
    if (recordHash(JSON.parse(o.data)) !== o.hash) n++;
  return n;
}

/**
 * Compares what the store says each cluster reported with what the fleet serves (the scenario):
 * per cluster, the number of objects, and per object the applied revision (Flux) or the synced
 * revision and sync status (Argo CD Applications).
 */
function compareWithScenario(state, scenario, clusters) {
  const observed = new Map();
  for (const o of state.observations) {
    const r = JSON.parse(o.data);
    observed.set(
      `${o.target_id.replace(/^kubernetes:/, '')}/${r.kind}/${r.namespace}/${
        r.name
      }`,
      r,
    );
  }
  const out = {};
  for (const c of clusters) {
    const expected = scenario.objects.filter(o => o.cluster === c);
    const mismatches = [];
    let found = 0;
    for (const o of expected) {
      const r = observed.get(`${c}/${o.kind}/${o.namespace}/${o.name}`);
      if (!r) {
        mismatches.push(`${o.kind} ${o.namespace}/${o.name}: missing`);
        continue;
      }
      found++;
      if (o.kind === 'Application') {
        // The scenario's revision is the sync target: the record's `attempted` (its `commit` is
        // the last deployed one, from the history, which differs while a sync runs).
        if (o.revision && r.revision?.attempted !== o.revision)
          mismatches.push(
            `${o.kind} ${o.namespace}/${o.name}: attempted ${r.revision?.attempted} != ${o.revision}`,
          );
        if (o.sync && r.sync !== o.sync)
          mismatches.push(
            `${o.kind} ${o.namespace}/${o.name}: sync ${r.sync} != ${o.sync}`,
          );
      } else if (
        o.appliedRevision &&
        r.revision?.applied !== o.appliedRevision
      ) {
        mismatches.push(
          `${o.kind} ${o.namespace}/${o.name}: applied ${r.revision?.applied} != ${o.appliedRevision}`,
        );
      }
    }
    out[c] = {
      expected: expected.length,
      stored: state.byTarget[`kubernetes:${c}`] || 0,
      found,
      mismatches,
    };
  }
  return out;
}

module.exports = { storeState, hashMismatches, compareWithScenario };
