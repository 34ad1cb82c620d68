import { FleetClusterModel } from './clusters';
import { RESOURCES_BY_KEY } from './kubernetes/resources';
import { ClusterStore } from './kubernetes/store';
import { KubeObject } from './scenario';

/*
 * Prometheus text exposition for the whole fleet, as a federating Prometheus
 * would expose it: every series carries a `cluster` label.
 *   - Flux <= 2.1 controllers: gotk_reconcile_condition, gotk_suspend_status
 *   - Flux >= 2.2 via kube-state-metrics: gotk_resource_info (labels from
 *     flux2-monitoring-example's customResourceState config)
 *   - Argo CD application controller: argocd_app_info
 * Which Flux generation a cluster emits is its `fluxMetrics` setting.
 */

const FLUX_KINDS = [
  'kustomize.toolkit.fluxcd.io/kustomizations',
  'helm.toolkit.fluxcd.io/helmreleases',
  'source.toolkit.fluxcd.io/gitrepositories',
  'source.toolkit.fluxcd.io/ocirepositories',
  'source.toolkit.fluxcd.io/helmrepositories',
  'source.toolkit.fluxcd.io/helmcharts',
  'source.toolkit.fluxcd.io/buckets',
];

type Labels = Record<string, string | undefined>;

const escape = (v: string) =>
  v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function series(name: string, labels: Labels, value: number): string {
  const body = Object.keys(labels)
    .filter(k => labels[k] !== undefined)
    .sort()
    .map(k => `${k}="${escape(labels[k]!)}"`)
    .join(',');
  return `${name}{${body}} ${value}`;
}

function readyStatus(o: KubeObject): string | undefined {
  return (o.status?.conditions ?? []).find((c: any) => c.type === 'Ready')
    ?.status;
}

/** The labels kube-state-metrics derives from the object (missing paths give no label). */
function ksmLabels(o: KubeObject): Labels {
  const [group, version] = o.apiVersion.split('/');
  const spec = o.spec ?? {};
  const status = o.status ?? {};
  const labels: Labels = {
    customresource_group: group,
    customresource_kind: o.kind,
    customresource_version: version,
    exported_namespace: o.metadata.namespace,
    name: o.metadata.name,
    ready: readyStatus(o),
    suspended: spec.suspend === undefined ? undefined : String(spec.suspend),
  };
  switch (o.kind) {
    case 'Kustomization':
      return {
        ...labels,
        revision: status.lastAppliedRevision,
        source_name: spec.sourceRef?.name,
      };
    case 'HelmRelease': {
      const latest = status.history?.[0];
      return {
        ...labels,
        revision: latest?.chartVersion,
        chart_name: latest?.chartName,
        chart_app_version: latest?.appVersion,
        chart_ref_name: spec.chartRef?.name,
        chart_source_name: spec.chart?.spec?.sourceRef?.name,
      };
    }
    case 'Bucket':
      return {
        ...labels,
        revision: status.artifact?.revision,
        endpoint: spec.endpoint,
        bucket_name: spec.bucketName,
      };
    case 'HelmChart':
      return {
        ...labels,
        revision: status.artifact?.revision,
        chart_name: spec.chart,
        chart_version: spec.version,
      };
    default:
      return { ...labels, revision: status.artifact?.revision, url: spec.url };
  }
}

export function renderMetrics(
  entries: Array<{ cluster: FleetClusterModel; store: ClusterStore }>,
  allClusters: FleetClusterModel[],
): string {
  const reconcileCondition: string[] = [];
  const suspendStatus: string[] = [];
  const resourceInfo: string[] = [];
  const appInfo: string[] = [];

  for (const { cluster, store } of entries) {
    const legacy = cluster.fluxMetrics !== 'ksm';
    const ksm = cluster.fluxMetrics !== 'legacy';
    for (const key of FLUX_KINDS) {
      for (const s of store.list(key)) {
        const o = s.object;
        if (legacy) {
          const base = {
            cluster: cluster.name,
            kind: o.kind,
            name: s.name,
            namespace: s.namespace,
          };
          const current = readyStatus(o) ?? 'Unknown';
          // The controller reports 1 for the current status and 0 for the others.
          for (const status of ['True', 'False', 'Unknown', 'Deleted']) {
            reconcileCondition.push(
              series(
                'gotk_reconcile_condition',
                { ...base, type: 'Ready', status },
                status === current ? 1 : 0,
              ),
            );
          }
          suspendStatus.push(
            series('gotk_suspend_status', base, o.spec?.suspend ? 1 : 0),
          );
        }
        if (ksm)
          resourceInfo.push(
            series(
              'gotk_resource_info',
              { cluster: cluster.name, ...ksmLabels(o) },
              1,
            ),
          );
      }
    }
    if (RESOURCES_BY_KEY.get('argoproj.io/applications')!.servedOn(cluster)) {
      for (const s of store.list('argoproj.io/applications')) {
        const o = s.object;
        const spec = o.spec ?? {};
        const source = spec.source ?? spec.sources?.[0] ?? {};
        const destServer =
          spec.destination?.server ??
          allClusters.find(
            c => c.argocdDestinationName === spec.destination?.name,
          )?.argocdServerAlias;
        appInfo.push(
          series(
            'argocd_app_info',
            {
              autosync_enabled: String(!!spec.syncPolicy?.automated),
              cluster: cluster.name,
              dest_namespace: spec.destination?.namespace ?? '',
              dest_server: destServer ?? '',
              health_status: o.status?.health?.status ?? '',
              name: s.name,
              namespace: s.namespace,
              operation: o.operation ? 'sync' : '',
              project: spec.project || 'default',
              repo: source.repoURL ?? '',
              sync_status: o.status?.sync?.status ?? '',
            },
            1,
          ),
        );
      }
    }
  }

  const family = (name: string, help: string, type: string, lines: string[]) =>
    lines.length
      ? [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines]
      : [];
  return [
    ...family(
      'gotk_reconcile_condition',
      'The current condition status of a GitOps Toolkit resource reconciliation.',
      'gauge',
      reconcileCondition,
    ),
    ...family(
      'gotk_suspend_status',
      'The current suspend status of a GitOps Toolkit resource.',
      'gauge',
      suspendStatus,
    ),
    // kube-state-metrics >= 2.12 exposes Info metrics as gauges in the Prometheus text format.
    ...family(
      'gotk_resource_info',
      'The current state of a GitOps Toolkit resource.',
      'gauge',
      resourceInfo,
    ),
    ...family(
      'argocd_app_info',
      'Information about application.',
      'gauge',
      appInfo,
    ),
    '',
  ].join('\n');
}
