'use strict';
/*
 * The app-config override and the catalog of a browser benchmark run, written to its temp folder.
 * Clusters are listed from the fleet's own fleet.json the way app-config.yaml lists the four demo
 * clusters; the catalog adds `svc-0` … `svc-999` (annotated with the ids the fleet's filler objects
 * are labelled with) and their ten owner groups, as test/bench does.
 */
const fs = require('node:fs');
const path = require('node:path');
const { stringify } = require('yaml');
const {
  FILLER_SERVICE_IDS,
  serviceName,
  teamOf,
} = require('../../lib/entities');

/** One `gitops.clusters` entry per fleet cluster, as app-config.yaml writes them. */
function clusterConfig(cluster, fleet) {
  const entry = {
    name: cluster.name,
    environment: cluster.environment,
    url: cluster.server,
    serviceAccountToken: fleet.token,
    aliases: [cluster.serverAlias],
  };
  if (cluster.runsArgoCd) entry.argocdInstance = fleet.argocd.instance;
  if (cluster.azureResourceId) entry.azureResourceId = cluster.azureResourceId;
  return entry;
}

function catalogEntities() {
  const teams = [
    ...new Set(Array.from({ length: FILLER_SERVICE_IDS }, (_, i) => teamOf(i))),
  ];
  return [
    ...teams.map(name => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name },
      spec: { type: 'team', children: [] },
    })),
    ...Array.from({ length: FILLER_SERVICE_IDS }, (_, i) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: serviceName(i),
        annotations: { 'backstage.io/kubernetes-id': serviceName(i) },
      },
      spec: { type: 'service', lifecycle: 'production', owner: teamOf(i) },
    })),
  ];
}

/**
 * Writes `<dir>/catalog-bench.yaml` and `<dir>/app-config.bench.yaml`; returns their paths.
 * `frontend` is the part the app build needs (it has no secrets and no fleet).
 */
function writeBenchConfig({ dir, repoRoot, fleet, ports }) {
  const catalogFile = path.join(dir, 'catalog-bench.yaml');
  fs.writeFileSync(
    catalogFile,
    catalogEntities()
      .map(e => stringify(e))
      .join('---\n'),
  );
  const appBaseUrl = `http://localhost:${ports.app}`;
  const config = {
    app: { baseUrl: appBaseUrl },
    backend: {
      baseUrl: `http://localhost:${ports.backend}`,
      listen: { port: ports.backend },
      cors: { origin: appBaseUrl },
    },
    catalog: {
      // Arrays replace those of app-config.yaml: the examples again, plus the bench services.
      locations: [
        path.join(repoRoot, 'examples/entities.yaml'),
        path.join(repoRoot, 'examples/org.yaml'),
        catalogFile,
      ].map(target => ({ type: 'file', target })),
    },
    gitops: {
      clusters: fleet.clusters.map(c => clusterConfig(c, fleet)),
      argocd: {
        instances: [
          {
            name: fleet.argocd.instance,
            url: fleet.argocd.url,
            token: fleet.token,
            cluster: fleet.argocd.cluster,
          },
        ],
      },
      azure: {
        subscriptions: [fleet.azure.subscriptionId],
        endpoint: fleet.azure.endpoint,
        accessToken: fleet.token,
      },
    },
  };
  const configFile = path.join(dir, 'app-config.bench.yaml');
  fs.writeFileSync(configFile, stringify(config));
  return { configFile, catalogFile };
}

/** What the production app build bakes into index.html. */
function writeFrontendConfig({ dir, ports }) {
  const file = path.join(dir, 'app-config.frontend.yaml');
  fs.writeFileSync(
    file,
    stringify({
      app: { baseUrl: `http://localhost:${ports.app}` },
      backend: { baseUrl: `http://localhost:${ports.backend}` },
    }),
  );
  return file;
}

module.exports = { writeBenchConfig, writeFrontendConfig, FILLER_SERVICE_IDS };
