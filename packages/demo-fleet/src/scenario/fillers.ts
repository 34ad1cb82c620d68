import { FleetClusterModel } from '../clusters';
import { application } from './argocd';
import { helmRelease, kustomization, managedBy } from './flux';
import { ScenarioContext, SimObject } from './model';

/** Filler objects bind to this many distinct catalog services (svc-0 … svc-999). */
export const FILLER_SERVICE_IDS = 1000;

/**
 * Scale filler: objectsPerCluster objects per cluster, cycling
 * Kustomization / HelmRelease / Application (the Applications live on the
 * Argo CD cluster and deploy to this one). They follow the rollout and never fail.
 */
export function createFillers(
  ctx: ScenarioContext,
  cluster: FleetClusterModel,
  count: number,
): { clusterObjects: SimObject[]; applications: SimObject[] } {
  const clusterObjects: SimObject[] = [];
  const applications: SimObject[] = [];
  for (let i = 0; i < count; i++) {
    const id = (cluster.index * count + i) % FILLER_SERVICE_IDS;
    const service = `svc-${id}`;
    // Only needed past 1000 fillers per cluster, to keep names unique.
    const name =
      i < FILLER_SERVICE_IDS
        ? service
        : `${service}-${Math.floor(i / FILLER_SERVICE_IDS)}`;
    const labels = {
      'backstage.io/kubernetes-id': service,
      'fleet.example.com/filler': 'true',
    };
    switch (i % 3) {
      case 0:
        clusterObjects.push(
          kustomization(ctx, {
            cluster,
            name,
            namespace: service,
            labels: { ...labels, ...managedBy('apps', 'flux-system') },
            path: `./services/${service}`,
            window: ctx.timeline.stage1,
          }),
        );
        break;
      case 1:
        clusterObjects.push(
          helmRelease(ctx, {
            cluster,
            name,
            namespace: service,
            labels: { ...labels, ...managedBy('apps', 'flux-system') },
            chart: 'podinfo',
            versionRange: '6.x',
            chartVersion: '6.7.1',
            appVersion: '6.7.1',
            helmRepository: 'podinfo',
            helmChart: 'flux-system-podinfo',
            window: ctx.timeline.stage1,
          }),
        );
        break;
      default:
        applications.push(
          application(ctx, {
            target: cluster,
            name: `${name}-${cluster.name}`,
            labels,
            project: 'default',
            destinationNamespace: service,
            source: { path: `services/${service}` },
            workload: service,
            image: sha => `ghcr.io/example-org/${service}:${sha.slice(0, 7)}`,
          }),
        );
    }
  }
  return { clusterObjects, applications };
}
