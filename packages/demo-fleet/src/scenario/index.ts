import { FleetClusterModel } from '../clusters';
import { RESOURCES_BY_KEY } from '../kubernetes/resources';
import {
  FleetScenario,
  ScenarioClusterRollout,
  ScenarioObject,
} from '../types';
import { application } from './argocd';
import {
  ArmRow,
  FluxConfigInputs,
  extensionRow,
  fluxConfig,
  fluxConfigurationRow,
} from './azure';
import { createFillers } from './fillers';
import {
  FLUX_SYSTEM_LABELS,
  Outcome,
  OK,
  gitRepository,
  helmRelease,
  kustomization,
  managedBy,
  staticSource,
} from './flux';
import { ScenarioContext, SimObject, timeOf } from './model';
import {
  Timeline,
  appsSha,
  fleetSha,
  fluxRevision,
  mod,
  sha256,
} from './timeline';

export type { ScenarioContext, SimObject, KubeObject } from './model';

/*
 * The cast of the scenario. Special behaviours are tied to cluster positions,
 * so they also happen with custom cluster names:
 *   second cluster (staging): payments-db fails every 4th commit (commit % 4 == 0, so also at start)
 *                             -> payments-api DependencyNotReady; ingress-nginx upgrade fails
 *                             (commit % 4 == 1) and stalls, recovering with the next commit.
 *   third cluster (prod-eu):  checkout drifts OutOfSync and self-heals (commit % 4 == 2).
 *   Arc clusters (prod-us):   the Flux extension shows a failed upgrade (commit % 4 == 3).
 */

const PODINFO_CHART = {
  chart: 'podinfo',
  versionRange: '6.x',
  chartVersion: '6.7.1',
  appVersion: '6.7.1',
};
const INGRESS_CHART = {
  chart: 'ingress-nginx',
  versionRange: '4.11.x',
  chartVersion: '4.11.3',
  appVersion: '1.11.3',
};

function stagingOnly(
  cluster: FleetClusterModel,
  fails: (n: number) => boolean,
  outcome: Outcome,
) {
  return (n: number) => (cluster.index === 1 && fails(n) ? outcome : OK);
}

/** Objects every cluster's own API serves. */
function clusterObjects(
  ctx: ScenarioContext,
  cluster: FleetClusterModel,
): { objects: SimObject[]; azure?: FluxConfigInputs } {
  const tl = ctx.timeline;
  const fluxSystem = (name: string) => ({
    name,
    namespace: 'flux-system',
    labels: FLUX_SYSTEM_LABELS,
  });

  const repo = gitRepository(ctx, cluster);
  const infrastructure = kustomization(ctx, {
    cluster,
    ...fluxSystem('infrastructure'),
    path: './infrastructure',
    window: tl.stage0,
    wait: true,
  });
  const apps = kustomization(ctx, {
    cluster,
    ...fluxSystem('apps'),
    path: './apps',
    window: tl.stage1,
    dependsOn: [{ name: 'infrastructure' }],
  });

  const sources: SimObject[] = [
    staticSource(ctx, {
      cluster,
      kind: 'OCIRepository',
      name: 'podinfo-oci',
      spec: {
        interval: '5m0s',
        ref: { tag: 'latest' },
        url: 'oci://ghcr.io/stefanprodan/manifests/podinfo',
      },
      revision: `latest@sha256:${sha256('podinfo-oci')}`,
      artifactPath: `ocirepository/flux-system/podinfo-oci/${sha256(
        'podinfo-oci',
      )}.tar.gz`,
    }),
    ...(['podinfo', 'ingress-nginx'] as const).map(name => {
      const url =
        name === 'podinfo'
          ? 'https://stefanprodan.github.io/podinfo'
          : 'https://kubernetes.github.io/ingress-nginx';
      const digest = sha256(`${name}-index`);
      return staticSource(ctx, {
        cluster,
        kind: 'HelmRepository',
        name,
        spec: { interval: '1h0m0s', provider: 'generic', timeout: '60s', url },
        revision: `sha256:${digest}`,
        artifactPath: `helmrepository/flux-system/${name}/index-${digest}.yaml`,
        readyMessage: `stored artifact: revision 'sha256:${digest}'`,
      });
    }),
    ...[PODINFO_CHART, INGRESS_CHART].map(chart =>
      staticSource(ctx, {
        cluster,
        kind: 'HelmChart',
        name: `flux-system-${chart.chart}`,
        spec: {
          chart: chart.chart,
          interval: '10m0s',
          reconcileStrategy: 'ChartVersion',
          sourceRef: { kind: 'HelmRepository', name: chart.chart },
          version: chart.versionRange,
        },
        revision: chart.chartVersion,
        artifactPath: `helmchart/flux-system/flux-system-${chart.chart}/${chart.chart}-${chart.chartVersion}.tgz`,
        readyReason: 'ChartPullSucceeded',
        readyMessage: `pulled '${chart.chart}' chart with version '${chart.chartVersion}'`,
        extraStatus: {
          observedChartName: chart.chart,
          observedSourceArtifactRevision: `sha256:${sha256(
            `${chart.chart}-index`,
          )}`,
        },
      }),
    ),
    staticSource(ctx, {
      cluster,
      kind: 'Bucket',
      name: 'terraform-state',
      spec: {
        bucketName: 'terraform-state',
        endpoint: 'minio.example.com',
        interval: '5m0s',
        provider: 'generic',
      },
      revision: `sha256:${sha256('terraform-state')}`,
      artifactPath: `bucket/flux-system/terraform-state/${sha256(
        'terraform-state',
      )}.tar.gz`,
    }),
  ];

  const podinfoLabels = {
    'app.kubernetes.io/name': 'podinfo',
    'backstage.io/kubernetes-id': 'podinfo',
  };
  const podinfo = [
    kustomization(ctx, {
      cluster,
      name: 'podinfo',
      namespace: 'podinfo',
      labels: { ...podinfoLabels, ...managedBy('apps', 'flux-system') },
      path: './apps/podinfo',
      window: tl.stage1,
      suspend: false,
      targetNamespace: 'podinfo',
      inventory: [
        { id: 'podinfo_podinfo_helm.toolkit.fluxcd.io_HelmRelease', v: 'v2' },
      ],
    }),
    helmRelease(ctx, {
      cluster,
      name: 'podinfo',
      namespace: 'podinfo',
      labels: { ...podinfoLabels, ...managedBy('podinfo', 'podinfo') },
      ...PODINFO_CHART,
      helmRepository: 'podinfo',
      helmChart: 'flux-system-podinfo',
      window: tl.stage1,
    }),
  ];

  const payments = [
    kustomization(ctx, {
      cluster,
      name: 'payments-db',
      namespace: 'payments',
      labels: {
        'app.kubernetes.io/part-of': 'payments',
        'app.kubernetes.io/component': 'database',
        ...managedBy('apps', 'flux-system'),
      },
      path: './apps/payments/db',
      window: tl.stage0,
      suspend: false,
      wait: true,
      inventory: [{ id: 'payments_payments-db_apps_StatefulSet', v: 'v1' }],
      outcome: stagingOnly(cluster, n => mod(n, 4) === 0, {
        ok: false,
        reason: 'HealthCheckFailed',
        message:
          "health check failed after 30.004s: timeout waiting for: [StatefulSet/payments/payments-db status: 'InProgress']",
      }),
    }),
    kustomization(ctx, {
      cluster,
      name: 'payments-api',
      namespace: 'payments',
      labels: {
        'app.kubernetes.io/part-of': 'payments',
        'app.kubernetes.io/component': 'api',
        ...managedBy('apps', 'flux-system'),
      },
      path: './apps/payments/api',
      window: tl.stage1,
      suspend: false,
      dependsOn: [{ name: 'payments-db' }],
      inventory: [{ id: 'payments_payments-api_apps_Deployment', v: 'v1' }],
      outcome: stagingOnly(cluster, n => mod(n, 4) === 0, {
        ok: false,
        blocked: true,
        reason: 'DependencyNotReady',
        message: "dependency 'payments/payments-db' is not ready",
      }),
    }),
  ];

  const ingress = helmRelease(ctx, {
    cluster,
    name: 'ingress-nginx',
    namespace: 'ingress-nginx',
    labels: {
      'app.kubernetes.io/name': 'ingress-nginx',
      'backstage.io/kubernetes-id': 'ingress-nginx',
      ...managedBy('infrastructure', 'flux-system'),
    },
    ...INGRESS_CHART,
    helmRepository: 'ingress-nginx',
    helmChart: 'flux-system-ingress-nginx',
    window: tl.stage1,
    outcome: stagingOnly(cluster, n => mod(n, 4) === 1, {
      ok: false,
      reason: 'UpgradeFailed',
      message: `Helm upgrade failed for release ingress-nginx/ingress-nginx with chart ingress-nginx@${INGRESS_CHART.chartVersion}: context deadline exceeded`,
    }),
  });

  const legacyBatch = kustomization(ctx, {
    cluster,
    name: 'legacy-batch',
    namespace: 'legacy-batch',
    labels: {
      'backstage.io/kubernetes-id': 'legacy-batch',
      ...managedBy('apps', 'flux-system'),
    },
    path: './apps/legacy-batch',
    window: tl.stage1,
    suspend: true,
  });

  const objects: SimObject[] = [
    repo,
    ...sources,
    infrastructure,
    apps,
    ...podinfo,
    ...payments,
    ingress,
    legacyBatch,
  ];
  let azure: FluxConfigInputs | undefined;
  if (cluster.provider !== 'kubernetes') {
    azure = {
      gitRepository: repo,
      kustomizations: [
        { object: infrastructure, path: './infrastructure', dependsOn: [] },
        { object: apps, path: './apps', dependsOn: ['infrastructure'] },
      ],
    };
    objects.push(fluxConfig(ctx, cluster, azure));
  }
  return { objects, azure };
}

/** Argo CD Applications (on the Argo CD cluster) deploying to `target`. */
function applicationsFor(
  ctx: ScenarioContext,
  target: FleetClusterModel,
): SimObject[] {
  return [
    application(ctx, {
      target,
      name: `guestbook-${target.name}`,
      labels: {
        'app.kubernetes.io/name': 'guestbook',
        'backstage.io/kubernetes-id': 'guestbook',
      },
      project: 'default',
      destinationNamespace: 'guestbook',
      source: { path: 'guestbook' },
      workload: 'guestbook-ui',
      image: () => 'gcr.io/heptio-images/ks-guestbook-demo:0.2',
    }),
    application(ctx, {
      target,
      name: `checkout-${target.name}`,
      labels: {
        'app.kubernetes.io/name': 'checkout',
        'backstage.io/kubernetes-id': 'checkout',
      },
      project: 'shop',
      destinationNamespace: 'checkout',
      destinationByName: true,
      source: {
        chart: 'checkout',
        chartRepo: 'https://charts.example.com',
        chartVersion: '1.4.2',
        valuesFile: `checkout/values-${target.environment}.yaml`,
      },
      workload: 'checkout',
      image: sha => `ghcr.io/example-org/checkout:${sha.slice(0, 7)}`,
      drifts: target.index === 2,
    }),
  ];
}

export interface FleetModel {
  ctx: ScenarioContext;
  /** Objects served by each cluster's API, by cluster name. */
  objectsByCluster: Map<string, SimObject[]>;
  armRows(t: number): ArmRow[];
  snapshot(t: number): FleetScenario;
}

export function buildFleetModel(
  clusters: FleetClusterModel[],
  options: {
    startTime: number;
    rolloutPeriodMs: number;
    objectsPerCluster: number;
  },
): FleetModel {
  const ctx: ScenarioContext = {
    timeline: new Timeline(options.rolloutPeriodMs, clusters.length),
    startTime: options.startTime,
    clusters,
    argoCluster: clusters.find(c => c.runsArgoCd)!,
  };
  const objectsByCluster = new Map<string, SimObject[]>(
    clusters.map(c => [c.name, []]),
  );
  const azure: Array<{ cluster: FleetClusterModel; inputs: FluxConfigInputs }> =
    [];
  const argoObjects = objectsByCluster.get(ctx.argoCluster.name)!;

  for (const cluster of clusters) {
    const own = clusterObjects(ctx, cluster);
    const fillers = createFillers(ctx, cluster, options.objectsPerCluster);
    objectsByCluster
      .get(cluster.name)!
      .push(...own.objects, ...fillers.clusterObjects);
    argoObjects.push(...applicationsFor(ctx, cluster), ...fillers.applications);
    if (own.azure) azure.push({ cluster, inputs: own.azure });
  }

  return {
    ctx,
    objectsByCluster,
    armRows(t) {
      return azure.flatMap(({ cluster, inputs }) => [
        fluxConfigurationRow(cluster, inputs, t),
        extensionRow(ctx, cluster, t),
      ]);
    },
    snapshot(t) {
      const tl = ctx.timeline;
      const latest = tl.latestCommit(t);
      const rolloutClusters: Record<string, ScenarioClusterRollout> = {};
      for (const c of clusters) {
        const p = tl.progress(c.index, t, tl.stage1);
        const applied = p.running ? p.commit - 1 : p.commit;
        const current = tl.commitOnCluster(c.index, t);
        let state: ScenarioClusterRollout['state'] = 'pending';
        if (applied === latest) state = 'applied';
        else if (current === latest) state = 'reconciling';
        rolloutClusters[c.name] = {
          appliedCommit: applied,
          appliedRevision: fluxRevision(applied),
          currentCommit: current,
          state,
        };
      }
      const objects: ScenarioObject[] = [];
      for (const [clusterName, sims] of objectsByCluster) {
        for (const o of sims) {
          const type = RESOURCES_BY_KEY.get(o.resource)!;
          objects.push({
            cluster: clusterName,
            apiGroup: type.group,
            kind: type.kind,
            namespace: o.namespace,
            name: o.name,
            labels: { ...o.labels },
            ...o.describe(o.state(t)),
          });
        }
      }
      return {
        elapsedMs: t,
        now: timeOf(ctx, t),
        rolloutPeriodMs: tl.period,
        rollout: {
          commit: latest,
          sha: fleetSha(latest),
          revision: fluxRevision(latest),
          ...(latest >= 1 ? { pushedAt: timeOf(ctx, tl.pushAt(latest)) } : {}),
          appsSha: appsSha(latest),
          appliedOn: clusters
            .filter(c => rolloutClusters[c.name].appliedCommit === latest)
            .map(c => c.name),
          clusters: rolloutClusters,
        },
        objects,
      };
    },
  };
}
