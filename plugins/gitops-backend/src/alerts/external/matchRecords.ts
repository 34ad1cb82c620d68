/*
 * Which records an alert's labels name. Pure: the same labels and records always give the same ids.
 *
 * Label conventions are those of the metrics the alert rules are written over (see
 * sources/prometheus/mapping.ts and test/fixtures/prometheus):
 *   - name: `name`. An alert without one names nothing.
 *   - namespace: `exported_namespace`, else `namespace` (scraped through a ServiceMonitor or
 *     PodMonitor, or from kube-state-metrics, the object's namespace is `exported_namespace` and
 *     `namespace` is the scrape target's). Absent: any namespace.
 *   - kind: `kind` (Flux controllers), else `customresource_kind` (kube-state-metrics), compared
 *     case-insensitively. Absent: every kind.
 *   - cluster: `cluster`, else the endpoint's cluster (a Prometheus inside one cluster), resolved
 *     through the configured cluster names and aliases; a value no cluster knows is kept as is (as
 *     the Prometheus source does). Neither: any cluster.
 *   - Argo CD: an alert whose labels are argocd_app_info's (it has `sync_status`, `health_status`
 *     or `dest_server`, or its kind is Application) names an Application. Its identity is what the
 *     Prometheus source makes of the same labels: the cluster is the destination (`dest_server`,
 *     with `https://kubernetes.default.svc` meaning the cluster Argo CD runs on — the `cluster`
 *     label), the namespace defaults to `argocd`. Without `dest_server` the destination is unknown:
 *     every Application of that name and namespace managed by the Argo CD instance the alert comes
 *     from (any instance when that is unknown too).
 */
import type { GitOpsRecord } from '@gitops-status/plugin-gitops-common';
import type { ClusterDirectory } from '../../config/clusters';
import { recordId } from '../../merge/identity';
import { recordsFromMetrics } from '../../sources/prometheus/mapping';

/** The label naming the cluster, as the Prometheus source's default `clusterLabel`. */
const CLUSTER_LABEL = 'cluster';

function label(labels: Record<string, string>, name: string) {
  const v = Object.prototype.hasOwnProperty.call(labels, name)
    ? labels[name]
    : undefined;
  return typeof v === 'string' && v.trim() ? v : undefined;
}

const lower = (s: string) => s.toLocaleLowerCase('en-US');

/** Labels of argocd_app_info (or a kube-state-metrics series about an Application). */
export function isArgoCdAlert(labels: Record<string, string>): boolean {
  const kind = label(labels, 'kind') ?? label(labels, 'customresource_kind');
  return (
    !!label(labels, 'sync_status') ||
    !!label(labels, 'health_status') ||
    !!label(labels, 'dest_server') ||
    (!!kind && lower(kind) === 'application')
  );
}

/** What matching reads of a record: its identity and (Applications) its Argo CD instance. */
export type MatchableRecord = Pick<
  GitOpsRecord,
  'tool' | 'cluster' | 'namespace' | 'kind' | 'name' | 'instance'
>;

/** Records indexed by name, matched against the labels of many alerts. */
export class RecordMatcher {
  private readonly byName = new Map<string, MatchableRecord[]>();

  constructor(
    records: MatchableRecord[],
    private readonly clusters: ClusterDirectory,
  ) {
    for (const r of records) {
      const list = this.byName.get(r.name);
      if (list) list.push(r);
      else this.byName.set(r.name, [r]);
    }
  }

  /**
   * The ids of the records the labels name, sorted. `endpointCluster` is the cluster of a
   * per-cluster Prometheus (alerts without a `cluster` label belong to it).
   */
  match(labels: Record<string, string>, endpointCluster?: string): string[] {
    const name = label(labels, 'name');
    const candidates = name ? this.byName.get(name) : undefined;
    if (!candidates) return [];
    const found = isArgoCdAlert(labels)
      ? this.applications(labels, candidates, endpointCluster)
      : this.objects(labels, candidates, endpointCluster);
    return [...new Set(found.map(recordId))].sort();
  }

  private clusterOf(raw: string | undefined): string | undefined {
    return raw ? this.clusters.resolve(raw) ?? raw : undefined;
  }

  private objects(
    labels: Record<string, string>,
    candidates: MatchableRecord[],
    endpointCluster?: string,
  ): MatchableRecord[] {
    const namespace =
      label(labels, 'exported_namespace') ?? label(labels, 'namespace');
    const rawKind =
      label(labels, 'kind') ?? label(labels, 'customresource_kind');
    const kind = rawKind && lower(rawKind);
    const cluster = this.clusterOf(
      label(labels, CLUSTER_LABEL) ?? endpointCluster,
    );
    return candidates.filter(
      r =>
        (!namespace || r.namespace === namespace) &&
        (!kind || lower(r.kind) === kind) &&
        (!cluster || r.cluster === cluster),
    );
  }

  private applications(
    labels: Record<string, string>,
    candidates: MatchableRecord[],
    endpointCluster?: string,
  ): MatchableRecord[] {
    // The Prometheus source's own mapping of argocd_app_info labels: the same identity it gives
    // the Application's record.
    const [app] = recordsFromMetrics(
      {
        argocdAppInfo: [{ metric: labels, value: [0, '1'] }],
        resourceInfo: [],
        reconcileCondition: [],
        suspendStatus: [],
      },
      {
        clusters: this.clusters,
        clusterLabel: CLUSTER_LABEL,
        defaultCluster: endpointCluster,
        observedAt: '',
      },
    ).records;
    if (!app) return [];
    const apps = candidates.filter(
      r =>
        r.tool === 'argocd' &&
        r.kind === 'Application' &&
        r.namespace === app.namespace,
    );
    if (label(labels, 'dest_server')) {
      return apps.filter(r => r.cluster === app.cluster);
    }
    // No destination: the Argo CD instance (where it runs) tells Applications of one name apart.
    return app.instance
      ? apps.filter(r => !r.instance || r.instance === app.instance)
      : apps;
  }
}
