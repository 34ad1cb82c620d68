/*
 * A real Prometheus (Debian's package; test/prometheus/install.sh) scraping the demo fleet's
 * /metrics over HTTPS every second, queried by the source. Fails with a clear message when the
 * binary is missing: this test is never skipped.
 */
import { mockServices } from '@backstage/backend-test-utils';
import type { GitOpsRecord } from '@gitops-status/plugin-gitops-common';
import type { SourceTargetResult } from '@gitops-status/plugin-gitops-node';
import {
  startDemoFleet,
  type DemoFleet,
  type ScenarioObject,
} from '@gitops-status/demo-fleet';
import { ClusterDirectory, type ClusterConfig } from '../../config/clusters';
import { isValidRecord } from '../../normalize';
import { PrometheusSource } from './PrometheusSource';
import {
  startPrometheusForFleet,
  type PrometheusServer,
} from './__testUtils__/prometheusServer';

jest.setTimeout(40_000);

const FLUX_GROUPS = [
  'kustomize.toolkit.fluxcd.io',
  'helm.toolkit.fluxcd.io',
  'source.toolkit.fluxcd.io',
];
const IN_CLUSTER = ['https://kubernetes.default.svc', 'in-cluster'];

const key = (o: {
  cluster: string;
  namespace: string;
  kind: string;
  name: string;
}) => `${o.cluster} ${o.kind} ${o.namespace}/${o.name}`;

/** What metrics can say about a scenario object, in record terms. */
function expected(fleet: DemoFleet, o: ScenarioObject) {
  if (o.kind === 'Application') {
    return {
      key: key({ ...o, cluster: o.targetCluster! }),
      tool: 'argocd',
      sync: o.sync,
      health: o.health,
    };
  }
  const generation = fleet.clusters.find(
    c => c.name === o.cluster,
  )!.fluxMetrics;
  const health = o.suspended
    ? 'Suspended'
    : { True: 'Healthy', False: 'Degraded', Unknown: 'Progressing' }[
        o.ready ?? 'Unknown'
      ];
  // Only kube-state-metrics carries a revision (HelmRelease: the latest release's chart version).
  const withRevision = generation !== 'legacy';
  let revision: string | undefined;
  if (withRevision) {
    revision =
      o.kind === 'HelmRelease'
        ? o.attemptedRevision ?? o.appliedRevision
        : o.appliedRevision;
  }
  return {
    key: key(o),
    tool: 'flux',
    health,
    suspended: o.suspended,
    // Ready=True on a known revision means it is applied.
    sync: withRevision && o.ready === 'True' ? 'Synced' : 'Unknown',
    revision,
  };
}

function actual(r: GitOpsRecord) {
  if (r.kind === 'Application') {
    return {
      key: key(r),
      tool: r.tool,
      sync: r.sync,
      health: r.health,
    };
  }
  return {
    key: key(r),
    tool: r.tool,
    health: r.health,
    suspended: r.suspended,
    sync: r.sync,
    revision:
      r.kind === 'HelmRelease' ? r.revision.attempted : r.revision.applied,
  };
}

describe('PrometheusSource against a real Prometheus scraping the demo fleet', () => {
  let fleet: DemoFleet;
  let prometheus: PrometheusServer;
  let source: PrometheusSource;

  beforeAll(async () => {
    fleet = await startDemoFleet({ clock: 'manual' });
    prometheus = await startPrometheusForFleet(fleet);
    await prometheus.waitFor('up{job="demo-fleet"} == 1', s => s.length === 1);

    const clusters: ClusterConfig[] = fleet.clusters.map(c => ({
      name: c.name,
      url: c.server,
      authProvider: 'serviceAccount',
      skipTLSVerify: false,
      // what Argo CD's dest_server says for each cluster (the in-cluster one is resolved by
      // the series' cluster label instead)
      aliases: [
        c.serverAlias,
        c.argocdServerAlias,
        c.argocdDestinationName,
      ].filter(a => !IN_CLUSTER.includes(a)),
      collect: true,
    }));
    source = new PrometheusSource({
      prometheus: {
        name: 'default',
        url: prometheus.url,
        headers: {},
        clusterLabel: 'cluster',
        skipTLSVerify: false,
      },
      clusters: new ClusterDirectory(clusters),
      logger: mockServices.logger.mock(),
      requestTimeoutMs: 5000,
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await fleet?.stop();
  });

  async function collect(): Promise<SourceTargetResult> {
    const reports: SourceTargetResult[] = [];
    await source.collect({
      sink: { report: async r => void reports.push(r) },
      signal: new AbortController().signal,
    });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      id: 'prometheus:default',
      target: 'default',
      status: 'ok',
    });
    expect(reports[0].message).toBeUndefined();
    for (const r of reports[0].records!) expect(isValidRecord(r)).toEqual([]);
    return reports[0];
  }

  const expectations = () =>
    fleet.scenario.objects
      .filter(o => FLUX_GROUPS.includes(o.apiGroup) || o.kind === 'Application')
      .map(o => expected(fleet, o))
      .sort((a, b) => a.key.localeCompare(b.key));

  const observed = (report: SourceTargetResult) =>
    report.records!.map(actual).sort((a, b) => a.key.localeCompare(b.key));

  /** Waits for a scrape that started after now, so it shows the fleet's current state. */
  async function nextScrape() {
    const after = Date.now() / 1000;
    await prometheus.waitFor(
      'timestamp(up{job="demo-fleet"})',
      s => s.length === 1 && Number(s[0].value[1]) > after + 0.05,
    );
  }

  it('reports every Flux object once per cluster, whichever metrics generation it emits, and every Application', async () => {
    const report = await collect();
    const records = report.records!;
    // one record per identity, even on dev where both generations are emitted
    expect(new Set(records.map(key)).size).toBe(records.length);
    expect(observed(report)).toEqual(expectations());

    // each cluster's generation is visible in what its records know
    const byCluster = (cluster: string, kind: string, name: string) =>
      records.find(
        r => r.cluster === cluster && r.kind === kind && r.name === name,
      )!;
    for (const c of fleet.clusters) {
      const apps = byCluster(c.name, 'Kustomization', 'apps');
      expect({ cluster: c.name, ref: apps.revision.ref }).toEqual({
        cluster: c.name,
        ref: c.fluxMetrics === 'legacy' ? undefined : 'main',
      });
    }
    // suspended everywhere, from gotk_suspend_status on the legacy cluster
    for (const c of fleet.clusters) {
      expect(byCluster(c.name, 'Kustomization', 'legacy-batch')).toMatchObject({
        suspended: true,
        health: 'Suspended',
        state: 'suspended',
      });
    }
    // at the start, staging's payments are broken
    expect(byCluster('staging', 'Kustomization', 'payments-db')).toMatchObject({
      health: 'Degraded',
      state: 'error',
      message: 'from Prometheus metrics: Ready=False',
    });
    // Argo CD runs on dev: its in-cluster destination is dev; the others resolve by dest_server
    const guestbook = records.filter(
      r => r.kind === 'Application' && r.name.startsWith('guestbook-'),
    );
    expect(guestbook.map(r => [r.name, r.cluster, r.instance]).sort()).toEqual(
      fleet.clusters.map(c => [`guestbook-${c.name}`, c.name, 'dev']).sort(),
    );
  });

  it('follows the fleet: after a rollout step the next scrape shows the new states', async () => {
    const before = expectations();
    // 91 s: commit 1 rolled out on dev and staging (payments recover, ingress-nginx's upgrade
    // fails on staging); prod-eu (legacy metrics) is reconciling it and its Applications sync.
    fleet.advance(91_000);
    const after = expectations();
    const changed = after.filter(
      e =>
        JSON.stringify(e) !== JSON.stringify(before.find(b => b.key === e.key)),
    );
    // the scenario did move, for Flux objects on both generations and for Argo CD
    expect(changed.some(e => e.key.startsWith('staging '))).toBe(true);
    expect(changed.some(e => e.key.startsWith('prod-eu Git'))).toBe(true);
    expect(changed.some(e => e.tool === 'argocd')).toBe(true);

    await nextScrape();
    const report = await collect();
    expect(observed(report)).toEqual(after);

    const find = (cluster: string, kind: string, name: string) =>
      report.records!.find(
        r => r.cluster === cluster && r.kind === kind && r.name === name,
      )!;
    expect(find('staging', 'Kustomization', 'payments-db').health).toBe(
      'Healthy',
    );
    expect(find('prod-eu', 'Application', 'checkout-prod-eu')).toMatchObject({
      sync: 'OutOfSync',
      health: 'Progressing',
      state: 'progressing',
    });
  });
});
