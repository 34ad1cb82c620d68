/*
 * Test-only: the plugin's cluster config for a running demo fleet, as an operator would write it
 * (server URL, token, CA, the aliases Argo CD and Azure know each cluster by).
 */
import type { DemoFleet } from '@gitops-status/demo-fleet';
import type { JsonObject } from '@backstage/types';

export function fleetCaData(fleet: DemoFleet): string {
  return Buffer.from(fleet.caPem).toString('base64');
}

export function fleetClustersConfig(
  fleet: DemoFleet,
  options: { collect?: boolean } = {},
): JsonObject[] {
  return fleet.clusters.map(c => {
    const cluster: JsonObject = {
      name: c.name,
      environment: c.environment,
      url: c.server,
      serviceAccountToken: fleet.token,
      caData: fleetCaData(fleet),
      aliases: [c.argocdServerAlias, c.serverAlias],
      collect: options.collect ?? true,
    };
    if (c.runsArgoCd) cluster.argocdInstance = 'main';
    if (c.azureResourceId) cluster.azureResourceId = c.azureResourceId;
    return cluster;
  });
}
