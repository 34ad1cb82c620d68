import type { GitOpsRecord } from '@gitops-status/plugin-gitops-common';
import { ClusterDirectory, type ClusterConfig } from '../../config/clusters';
import { readFixture } from '../../normalize/__testUtils__/fixtures';
import { parseExposition } from '../../sources/prometheus/__testUtils__/exposition';
import { app, record } from '../__testUtils__/fixtures';
import { isArgoCdAlert, RecordMatcher } from './matchRecords';
import {
  aggregatedAlertOf,
  alertsOf,
  rule,
  RULE_FIXTURES,
  seriesOfLabelSet,
  type Series,
} from './__testUtils__/rules';

function cluster(
  name: string,
  extra: Partial<ClusterConfig> = {},
): ClusterConfig {
  return {
    name,
    authProvider: 'serviceAccount',
    skipTLSVerify: false,
    aliases: [],
    collect: true,
    ...extra,
  };
}

// Argo CD runs on mgmt (instance "main") and on prod-eu (its own instance); the fixture's
// argocd_app_info deploys to https://localhost:6443, the `target` cluster.
const clusters = new ClusterDirectory([
  cluster('mgmt', { argocdInstance: 'main' }),
  cluster('target', { aliases: ['https://localhost:6443'] }),
  cluster('prod-eu', { aliases: ['eu-1'] }),
]);

const flux = (
  clusterName: string,
  namespace: string,
  kind: GitOpsRecord['kind'],
  name: string,
) => record({ cluster: clusterName, namespace, kind, name });

const RECORDS: GitOpsRecord[] = [
  flux('target', 'monitoring', 'HelmRelease', 'kube-prometheus-stack'),
  flux('prod-eu', 'monitoring', 'HelmRelease', 'kube-prometheus-stack'),
  flux('target', 'monitoring', 'Kustomization', 'kube-prometheus-stack'),
  flux('target', 'bar', 'GitRepository', 'foo'),
  flux('target', 'other', 'GitRepository', 'foo'),
  flux('target', 'flux-system', 'Kustomization', 'apps'),
  flux('prod-eu', 'flux-system', 'Kustomization', 'apps'),
  app({ cluster: 'target', name: 'my-app', instance: 'main' }),
  app({ cluster: 'target', name: 'my-app-3', instance: 'main' }),
  app({ cluster: 'prod-eu', name: 'my-app', instance: 'prod-eu' }),
  app({ cluster: 'mgmt', name: 'guestbook', instance: 'main' }),
];

const matcher = new RecordMatcher(RECORDS, clusters);

/** Every series of an exposition fixture. */
function exposition(rel: string): Series[] {
  return [...parseExposition(readFixture(rel)).values()]
    .flat()
    .map(s => ({ metric: s.metric, value: Number(s.value[1]) }));
}

/** The fixture's series with some labels changed (a failing object instead of a ready one…). */
const withLabels = (
  series: Series[],
  metric: string,
  labels: Record<string, string>,
): Series[] =>
  series
    .filter(s => s.metric.__name__ === metric)
    .map(s => ({ ...s, metric: { ...s.metric, ...labels } }));

const helmRelease = exposition(
  'prometheus/flux-website_gotk_resource_info_helmrelease_exposition.prom',
);
const gitRepository = exposition(
  'prometheus/flux-website_gotk_resource_info_gitrepository-custom-labels_exposition.prom',
);
const argocd = exposition(
  'prometheus/argo-cd_controller-metrics_exposition.prom',
);

const fluxHelmReleaseFailure = rule(
  RULE_FIXTURES.fluxKsm,
  'FluxHelmreleaseFailure',
);
const fluxSourceIssue = rule(RULE_FIXTURES.fluxKsm, 'FluxSourceIssue');
const argoNotSynced = rule(RULE_FIXTURES.argocd, 'ArgocdServiceNotSynced');
const argoUnhealthy = rule(RULE_FIXTURES.argocd, 'ArgocdServiceUnhealthy');
const reconciliationFailure = rule(
  RULE_FIXTURES.fluxLegacy,
  'ReconciliationFailure',
);

/** The one alert a rule fires for these series. */
function only(alerts: Array<Record<string, string>>): Record<string, string> {
  if (alerts.length !== 1) {
    throw new Error(`expected one alert, got ${JSON.stringify(alerts)}`);
  }
  return alerts[0];
}

// kube-state-metrics' gotk_resource_info for a failing HelmRelease, as the fixture shows it
// (object namespace in exported_namespace), and as scraped from kube-state-metrics in
// kube-system (the scrape adds the target's `namespace`).
const hrFailing = only(
  alertsOf(
    fluxHelmReleaseFailure,
    withLabels(helmRelease, 'gotk_resource_info', { ready: 'False' }),
  ),
);
const hrFailingScraped = only(
  alertsOf(
    fluxHelmReleaseFailure,
    withLabels(helmRelease, 'gotk_resource_info', {
      ready: 'False',
      namespace: 'kube-system',
    }),
  ),
);
const gitFailing = only(
  alertsOf(
    fluxSourceIssue,
    withLabels(gitRepository, 'gotk_resource_info', { ready: 'False' }),
  ),
);

// Flux ≤ 2.1 controller series scraped through the PodMonitor: the object's namespace becomes
// `exported_namespace`; the ReconciliationFailure rule keeps exported_namespace, name and kind.
const legacySeries = seriesOfLabelSet(
  'prometheus/flux-legacy-pre-v2.1_controller-metrics_label-sets.txt',
  l => l.startsWith('gotk_reconcile_condition') && l.includes('"False"'),
  { kind: 'Kustomization', name: 'apps', namespace: 'flux-system' },
);
const legacyScraped = {
  ...legacySeries,
  exported_namespace: legacySeries.namespace,
  namespace: 'flux-system',
};
const reconciliationAlert = aggregatedAlertOf(
  reconciliationFailure,
  legacyScraped,
);

// argocd_app_info federated with the `cluster` label of the cluster Argo CD runs on.
const argoFederated = argocd.map(s => ({
  ...s,
  metric: { ...s.metric, cluster: 'mgmt' },
}));

describe('the fixture rules produce the label sets the table below uses', () => {
  it('FluxHelmreleaseFailure carries the gotk_resource_info labels', () => {
    expect(hrFailing).toEqual({
      alertname: 'FluxHelmreleaseFailure',
      severity: 'warning',
      customresource_group: 'helm.toolkit.fluxcd.io',
      customresource_kind: 'HelmRelease',
      customresource_version: 'v2',
      exported_namespace: 'monitoring',
      name: 'kube-prometheus-stack',
      ready: 'False',
    });
  });

  it('ReconciliationFailure carries exported_namespace, name and kind only', () => {
    expect(reconciliationAlert).toEqual({
      alertname: 'ReconciliationFailure',
      severity: 'page',
      exported_namespace: 'flux-system',
      name: 'apps',
      kind: 'Kustomization',
    });
  });

  it('the Argo CD rules fire for the OutOfSync and Degraded application only', () => {
    expect(alertsOf(argoNotSynced, argoFederated).map(a => a.name)).toEqual([
      'my-app-3',
    ]);
    expect(alertsOf(argoUnhealthy, argoFederated).map(a => a.name)).toEqual([
      'my-app-3',
    ]);
  });
});

describe('RecordMatcher', () => {
  const argoAlerts = [
    only(alertsOf(argoNotSynced, argoFederated)),
    only(alertsOf(argoUnhealthy, argoFederated)),
  ];

  it.each<[string, Record<string, string>, string | undefined, string[]]>([
    [
      'a kube-state-metrics HelmRelease alert from a per-cluster Prometheus',
      hrFailing,
      'target',
      ['flux|target|monitoring|HelmRelease|kube-prometheus-stack'],
    ],
    [
      'the same alert scraped from kube-state-metrics (exported_namespace wins over namespace)',
      hrFailingScraped,
      'target',
      ['flux|target|monitoring|HelmRelease|kube-prometheus-stack'],
    ],
    [
      'the same alert with no cluster known: that HelmRelease on every cluster, not the Kustomization',
      hrFailing,
      undefined,
      [
        'flux|prod-eu|monitoring|HelmRelease|kube-prometheus-stack',
        'flux|target|monitoring|HelmRelease|kube-prometheus-stack',
      ],
    ],
    [
      'the cluster label (an alias) before the endpoint cluster',
      { ...hrFailing, cluster: 'eu-1' },
      'target',
      ['flux|prod-eu|monitoring|HelmRelease|kube-prometheus-stack'],
    ],
    [
      'a cluster no configured cluster is known by',
      { ...hrFailing, cluster: 'nowhere' },
      undefined,
      [],
    ],
    [
      'a source alert: the GitRepository of that namespace only',
      gitFailing,
      'target',
      ['flux|target|bar|GitRepository|foo'],
    ],
    [
      'ReconciliationFailure from a per-cluster Prometheus',
      reconciliationAlert,
      'prod-eu',
      ['flux|prod-eu|flux-system|Kustomization|apps'],
    ],
    [
      'ReconciliationFailure as Alertmanager has it (external label cluster)',
      { ...reconciliationAlert, cluster: 'target' },
      undefined,
      ['flux|target|flux-system|Kustomization|apps'],
    ],
    [
      'ReconciliationFailure with no cluster known',
      reconciliationAlert,
      undefined,
      [
        'flux|prod-eu|flux-system|Kustomization|apps',
        'flux|target|flux-system|Kustomization|apps',
      ],
    ],
    [
      'ArgocdServiceNotSynced: the Application on its destination cluster',
      argoAlerts[0],
      undefined,
      ['argocd|target|argocd|Application|my-app-3'],
    ],
    [
      'an Argo CD alert for a name two instances use: the one deployed where dest_server says',
      only(
        alertsOf(
          argoNotSynced,
          withLabels(argoFederated, 'argocd_app_info', {
            sync_status: 'OutOfSync',
          }).filter(
            s => s.metric.name === 'my-app' && s.metric.project === 'default',
          ),
        ),
      ),
      undefined,
      ['argocd|target|argocd|Application|my-app'],
    ],
    [
      'ArgocdServiceUnhealthy: the same Application',
      argoAlerts[1],
      undefined,
      ['argocd|target|argocd|Application|my-app-3'],
    ],
    [
      'an Argo CD alert deploying in-cluster: the cluster Argo CD runs on',
      {
        ...argoAlerts[0],
        name: 'guestbook',
        dest_server: 'https://kubernetes.default.svc',
      },
      undefined,
      ['argocd|mgmt|argocd|Application|guestbook'],
    ],
    [
      'an in-cluster Argo CD alert from a per-cluster Prometheus (no cluster label)',
      (({ cluster: _c, ...rest }) => ({
        ...rest,
        name: 'guestbook',
        dest_server: 'https://kubernetes.default.svc',
      }))(argoAlerts[0]),
      'mgmt',
      ['argocd|mgmt|argocd|Application|guestbook'],
    ],
    [
      'an Argo CD alert without a destination: the Application of the instance it comes from',
      {
        alertname: 'ArgoAppDown',
        kind: 'Application',
        name: 'my-app',
        namespace: 'argocd',
        cluster: 'mgmt',
      },
      undefined,
      ['argocd|target|argocd|Application|my-app'],
    ],
    [
      'an Argo CD alert without destination nor instance: every Application of that name',
      { alertname: 'ArgoAppDown', kind: 'application', name: 'my-app' },
      undefined,
      [
        'argocd|prod-eu|argocd|Application|my-app',
        'argocd|target|argocd|Application|my-app',
      ],
    ],
    [
      'kind compared case-insensitively',
      {
        alertname: 'X',
        kind: 'helmrelease',
        name: 'kube-prometheus-stack',
        namespace: 'monitoring',
        cluster: 'target',
      },
      undefined,
      ['flux|target|monitoring|HelmRelease|kube-prometheus-stack'],
    ],
    [
      'no kind: every record of that name and namespace on the cluster',
      {
        alertname: 'X',
        name: 'kube-prometheus-stack',
        namespace: 'monitoring',
        cluster: 'target',
      },
      undefined,
      [
        'flux|target|monitoring|HelmRelease|kube-prometheus-stack',
        'flux|target|monitoring|Kustomization|kube-prometheus-stack',
      ],
    ],
    [
      'a kind that is not a GitOps kind',
      {
        alertname: 'KubeDeploymentReplicasMismatch',
        kind: 'Deployment',
        name: 'kube-prometheus-stack',
        namespace: 'monitoring',
      },
      undefined,
      [],
    ],
    [
      'an alert that names nothing',
      {
        alertname: 'KubePodCrashLooping',
        namespace: 'monitoring',
        pod: 'kube-prometheus-stack-0',
        cluster: 'target',
      },
      'target',
      [],
    ],
    ['a name no record has', { ...hrFailing, name: 'podinfo' }, undefined, []],
  ])('%s', (_what, labels, endpointCluster, expected) => {
    expect(matcher.match(labels, endpointCluster)).toEqual(expected);
  });

  it('tells Argo CD alerts from the others by their labels', () => {
    expect(argoAlerts.map(isArgoCdAlert)).toEqual([true, true]);
    expect(
      [hrFailing, gitFailing, reconciliationAlert].map(isArgoCdAlert),
    ).toEqual([false, false, false]);
    expect(
      isArgoCdAlert({ alertname: 'x', customresource_kind: 'Application' }),
    ).toBe(true);
  });

  it('ignores inherited properties as label names', () => {
    const labels = Object.create({ name: 'apps' });
    labels.alertname = 'X';
    expect(matcher.match(labels)).toEqual([]);
  });
});
