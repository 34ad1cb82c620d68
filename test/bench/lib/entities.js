'use strict';
/*
 * The catalog of the benchmark: the repository's example entities plus 1,000 Components
 * `svc-0` … `svc-999`, annotated `backstage.io/kubernetes-id: svc-<i>` — the ids the demo fleet's
 * filler objects are labelled with (packages/demo-fleet/src/scenario/fillers.ts, FILLER_SERVICE_IDS).
 */
const fs = require('node:fs');
const path = require('node:path');
const { parseAllDocuments } = require('yaml');

const FILLER_SERVICE_IDS = 1000;
const TEAMS = 10;

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

function examples(repoRoot) {
  return ['entities.yaml', 'org.yaml'].flatMap(file =>
    parseAllDocuments(
      fs.readFileSync(path.join(repoRoot, 'examples', file), 'utf8'),
    ).map(d => d.toJSON()),
  );
}

const serviceName = i => `svc-${i}`;
const teamOf = i => `team-bench-${i % TEAMS}`;

function fillerEntities() {
  const out = [];
  for (let t = 0; t < TEAMS; t++) {
    out.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: `team-bench-${t}` },
      spec: { type: 'team', children: [] },
    });
  }
  for (let i = 0; i < FILLER_SERVICE_IDS; i++) {
    out.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: serviceName(i),
        annotations: { 'backstage.io/kubernetes-id': serviceName(i) },
      },
      spec: { type: 'service', lifecycle: 'production', owner: teamOf(i) },
    });
  }
  return out;
}

function benchEntities(repoRoot) {
  return [...examples(repoRoot), ...fillerEntities()].map(withRelations);
}

module.exports = {
  FILLER_SERVICE_IDS,
  benchEntities,
  serviceName,
  teamOf,
};
