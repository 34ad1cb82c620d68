/*
 * External alerts end to end: the demo fleet's /metrics scraped over HTTPS by two real Prometheus
 * servers evaluating the fixture alert rules, both sending to a real Alertmanager (Debian's
 * packages: test/prometheus/install.sh, test/alertmanager/install.sh), read back by
 * refreshExternalAlerts and matched to the records the Prometheus source makes of the same fleet.
 *
 *   - "fleet" Prometheus: the whole fleet (`cluster` label on every series) with the
 *     awesome-prometheus-alerts Flux (kube-state-metrics) and Argo CD rules;
 *   - "staging" Prometheus: staging only, scraped like a PodMonitor in flux-system does (the
 *     controller's `namespace` becomes `exported_namespace`), with the Flux ≤ 2.1
 *     ReconciliationFailure rule — whose alerts have no `cluster` label: the endpoint's `cluster`
 *     says where they are, and the Alertmanager gets it as an external label.
 *
 * The rules are the fixtures with `for:` shortened to 1s in a temp copy (they say 10–15 minutes),
 * so alerts fire within seconds. What should fire is computed from `fleet.scenario` and the rules'
 * documented conditions, not from the matcher. The binaries must be installed: never skipped.
 */
import path from 'node:path';
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import type {
  ExternalAlert,
  GitOpsRecord,
} from '@gitops-status/plugin-gitops-common';
import type { SourceTargetResult } from '@gitops-status/plugin-gitops-node';
import {
  startDemoFleet,
  type DemoFleet,
  type ScenarioObject,
} from '@gitops-status/demo-fleet';
import { ClusterDirectory, type ClusterConfig } from '../../config/clusters';
import { PrometheusSource } from '../../sources/prometheus/PrometheusSource';
import { ExternalAlertStore } from '../../store/ExternalAlertStore';
import type { ExternalAlertEndpoint } from './config';
import { refreshExternalAlerts } from './refreshExternalAlerts';
import {
  startAlertmanager,
  startPrometheusWithRules,
  type Daemon,
} from './__testUtils__/alertingStack';
import {
  answer,
  closedUrl,
  startHttpEndpoint,
  type HttpEndpoint,
} from './__testUtils__/httpEndpoint';
import { RULE_FIXTURES, withFor } from './__testUtils__/rules';

jest.setTimeout(40_000);

const IN_CLUSTER = ['https://kubernetes.default.svc', 'in-cluster'];
// Flux sources the FluxSourceIssue rule covers (its expression's customresource_kind regex).
const SOURCE_ISSUE_KINDS = [
  'GitRepository',
  'HelmRepository',
  'Bucket',
  'OCIRepository',
];
const FLUX_KINDS = [
  'Kustomization',
  'HelmRelease',
  ...SOURCE_ISSUE_KINDS,
  'HelmChart',
];

/** One expected alert: its rule and the record of the object it is about. */
type Expected = { alertname: string; recordId: string; object: ScenarioObject };

const fluxRecordId = (o: ScenarioObject) =>
  ['flux', o.cluster, o.namespace, o.kind, o.name].join('|');
const appRecordId = (o: ScenarioObject) =>
  ['argocd', o.targetCluster, o.namespace, 'Application', o.name].join('|');

/**
 * What the fleet Prometheus' rules fire for right now, from the scenario: kube-state-metrics'
 * `ready="False"` per kind (clusters emitting gotk_resource_info), and argocd_app_info's
 * `sync_status!="Synced"` / `health_status!="Healthy"`.
 */
function expectedFleetAlerts(fleet: DemoFleet): Expected[] {
  const ksm = new Set(
    fleet.clusters.filter(c => c.fluxMetrics !== 'legacy').map(c => c.name),
  );
  const out: Expected[] = [];
  for (const o of fleet.scenario.objects) {
    if (o.kind === 'Application') {
      const recordId = appRecordId(o);
      if (o.sync !== 'Synced') {
        out.push({ alertname: 'ArgocdServiceNotSynced', recordId, object: o });
      }
      if (o.health !== 'Healthy') {
        out.push({ alertname: 'ArgocdServiceUnhealthy', recordId, object: o });
      }
    } else if (ksm.has(o.cluster) && o.ready === 'False') {
      let alertname: string | undefined;
      if (o.kind === 'Kustomization') alertname = 'FluxKustomizationFailure';
      else if (o.kind === 'HelmRelease') alertname = 'FluxHelmreleaseFailure';
      else if (SOURCE_ISSUE_KINDS.includes(o.kind))
        alertname = 'FluxSourceIssue';
      if (alertname) {
        out.push({ alertname, recordId: fluxRecordId(o), object: o });
      }
    }
  }
  return out;
}

/** ReconciliationFailure on staging: Flux objects whose Ready status is False. */
function expectedStagingAlerts(fleet: DemoFleet): Expected[] {
  return fleet.scenario.objects
    .filter(
      o =>
        o.cluster === 'staging' &&
        FLUX_KINDS.includes(o.kind) &&
        o.ready === 'False',
    )
    .map(o => ({
      alertname: 'ReconciliationFailure',
      recordId: fluxRecordId(o),
      object: o,
    }));
}

const keyOf = (alertname: string, recordId: string) =>
  `${alertname} ${recordId}`;
const expectedKeys = (expected: Expected[]) =>
  expected.map(e => keyOf(e.alertname, e.recordId)).sort();

/** `alertname object-name` of the alerts an API lists: what the wait below compares. */
const nameKeys = (alerts: Array<{ labels: Record<string, string> }>) =>
  alerts.map(a => `${a.labels.alertname} ${a.labels.name}`).sort();

async function getJson(url: string): Promise<any> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  return res.json();
}

/** Polls until the Prometheus fires exactly these alerts (none pending) and the Alertmanager has them. */
async function waitForAlerts(
  stack: Array<{
    url: string;
    origin: 'prometheus' | 'alertmanager';
    expected: string[];
  }>,
  timeoutMs = 25_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await Promise.all(
      stack.map(async s => {
        if (s.origin === 'prometheus') {
          const body = await getJson(`${s.url}/api/v1/alerts`);
          const alerts: Array<{
            state: string;
            labels: Record<string, string>;
          }> = body.data.alerts;
          return alerts.some(a => a.state !== 'firing')
            ? ['(pending alerts)']
            : nameKeys(alerts);
        }
        return nameKeys(
          await getJson(
            `${s.url}/api/v2/alerts?active=true&silenced=false&inhibited=false`,
          ),
        );
      }),
    );
    if (
      stack.every(
        (s, i) => JSON.stringify(seen[i]) === JSON.stringify(s.expected),
      )
    ) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `alerts not as expected after ${timeoutMs} ms: ${JSON.stringify(
          stack.map((s, i) => ({
            url: s.url,
            expected: s.expected,
            seen: seen[i],
          })),
        )}`,
      );
    }
    await new Promise(r => setTimeout(r, 250));
  }
}

describe('external alerts from a real Prometheus and Alertmanager', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let fleet: DemoFleet;
  let alertmanager: Daemon;
  let fleetPrometheus: Daemon;
  let stagingPrometheus: Daemon;
  let garbage: HttpEndpoint;
  let store: ExternalAlertStore;
  let clusters: ClusterDirectory;
  let records: GitOpsRecord[];
  let endpoints: Record<'fleet' | 'staging' | 'am', ExternalAlertEndpoint>;
  const started = new Date().toISOString();

  beforeAll(async () => {
    // staging emits both metrics generations, so the legacy rule has failures to fire on.
    fleet = await startDemoFleet({
      clock: 'manual',
      clusters: [
        'dev',
        { name: 'staging', fluxMetrics: 'both' },
        'prod-eu',
        'prod-us',
      ],
    });
    // 47.5 s: dev's Applications roll out commit 0 (OutOfSync / Progressing, deployed in-cluster)
    // while staging's payments Kustomizations fail (scenario README, "Recurring episodes").
    fleet.advance(47_500);
    const fleetHost = new URL(fleet.url).host;
    alertmanager = await startAlertmanager();
    [fleetPrometheus, stagingPrometheus, garbage] = await Promise.all([
      startPrometheusWithRules({
        alertmanagerUrl: alertmanager.url,
        files: {
          'fleet-ca.pem': fleet.caPem,
          'flux.rules.yml': withFor(RULE_FIXTURES.fluxKsm, '1s'),
          'argocd.rules.yml': withFor(RULE_FIXTURES.argocd, '1s'),
        },
        scrapeConfigs: dir => [
          {
            job_name: 'demo-fleet',
            scheme: 'https',
            metrics_path: '/metrics',
            // keep the federated `cluster` label as the fleet sets it
            honor_labels: true,
            tls_config: { ca_file: path.join(dir, 'fleet-ca.pem') },
            static_configs: [{ targets: [fleetHost] }],
          },
        ],
      }),
      startPrometheusWithRules({
        alertmanagerUrl: alertmanager.url,
        externalLabels: { cluster: 'staging' },
        files: {
          'fleet-ca.pem': fleet.caPem,
          'flux-legacy.rules.yml': withFor(RULE_FIXTURES.fluxLegacy, '1s'),
        },
        scrapeConfigs: dir => [
          {
            job_name: 'flux-system/flux-controllers',
            scheme: 'https',
            metrics_path: '/metrics',
            params: { cluster: ['staging'] },
            tls_config: { ca_file: path.join(dir, 'fleet-ca.pem') },
            // A target in flux-system: its `namespace` wins, the series' becomes exported_namespace.
            static_configs: [
              { targets: [fleetHost], labels: { namespace: 'flux-system' } },
            ],
          },
        ],
      }),
      startHttpEndpoint(
        answer(200, '<!doctype html><title>Sign in</title>', 'text/html'),
      ),
    ]);

    clusters = new ClusterDirectory(
      fleet.clusters.map(
        (c): ClusterConfig => ({
          name: c.name,
          url: c.server,
          authProvider: 'serviceAccount',
          skipTLSVerify: false,
          // what Argo CD's dest_server says for each cluster (in-cluster destinations resolve
          // through the cluster Argo CD runs on instead)
          aliases: [
            c.serverAlias,
            c.argocdServerAlias,
            c.argocdDestinationName,
          ].filter(a => !IN_CLUSTER.includes(a)),
          argocdInstance: c.runsArgoCd ? 'main' : undefined,
          collect: true,
        }),
      ),
    );
    endpoints = {
      fleet: {
        name: 'fleet',
        type: 'prometheus',
        url: fleetPrometheus.url,
        linkUrl: fleetPrometheus.url,
      },
      staging: {
        name: 'staging',
        type: 'prometheus',
        url: stagingPrometheus.url,
        linkUrl: stagingPrometheus.url,
        cluster: 'staging',
      },
      am: {
        name: 'am',
        type: 'alertmanager',
        url: alertmanager.url,
        linkUrl: alertmanager.url,
      },
    };
    const knex = await databases.init('SQLITE_3');
    store = await ExternalAlertStore.create({
      database: mockServices.database({ knex, migrations: { skip: false } }),
    });
  });

  afterAll(async () => {
    await Promise.all([
      fleetPrometheus?.stop(),
      stagingPrometheus?.stop(),
      garbage?.close(),
    ]);
    await alertmanager?.stop();
    await fleet?.stop();
  });

  /** The records the Prometheus source makes of the fleet: what alerts are matched against. */
  async function collectRecords(): Promise<GitOpsRecord[]> {
    const source = new PrometheusSource({
      prometheus: {
        name: 'default',
        url: fleetPrometheus.url,
        headers: {},
        clusterLabel: 'cluster',
        skipTLSVerify: false,
      },
      clusters,
      logger: mockServices.logger.mock(),
      requestTimeoutMs: 5000,
    });
    const reports: SourceTargetResult[] = [];
    await source.collect({
      sink: { report: async r => void reports.push(r) },
      signal: new AbortController().signal,
    });
    expect(reports.map(r => r.status)).toEqual(['ok']);
    return reports[0].records!;
  }

  const refresh = (list: ExternalAlertEndpoint[]) =>
    refreshExternalAlerts({
      endpoints: list,
      records,
      clusters,
      store,
      signal: new AbortController().signal,
      logger: mockServices.logger.mock(),
      timeoutMs: 5000,
    });

  async function stored(endpoint: string): Promise<ExternalAlert[]> {
    return (await store.list()).filter(a => a.endpoint === endpoint);
  }
  const storedKeys = (alerts: ExternalAlert[]) =>
    alerts.flatMap(a => a.recordIds.map(id => keyOf(a.alertname, id))).sort();

  it('attaches the alerts of both Prometheus servers and the Alertmanager to exactly the failing objects', async () => {
    const fleetExpected = expectedFleetAlerts(fleet);
    const stagingExpected = expectedStagingAlerts(fleet);
    // The scenario has both kinds of failure at this time, on two clusters, in-cluster Argo CD
    // destinations included.
    expect(expectedKeys(fleetExpected)).toEqual([
      'ArgocdServiceNotSynced argocd|dev|argocd|Application|checkout-dev',
      'ArgocdServiceNotSynced argocd|dev|argocd|Application|guestbook-dev',
      'ArgocdServiceUnhealthy argocd|dev|argocd|Application|checkout-dev',
      'ArgocdServiceUnhealthy argocd|dev|argocd|Application|guestbook-dev',
      'FluxKustomizationFailure flux|staging|payments|Kustomization|payments-api',
      'FluxKustomizationFailure flux|staging|payments|Kustomization|payments-db',
    ]);
    expect(expectedKeys(stagingExpected)).toEqual([
      'ReconciliationFailure flux|staging|payments|Kustomization|payments-api',
      'ReconciliationFailure flux|staging|payments|Kustomization|payments-db',
    ]);

    const names = (e: Expected[]) =>
      e.map(x => `${x.alertname} ${x.object.name}`).sort();
    await waitForAlerts([
      {
        url: fleetPrometheus.url,
        origin: 'prometheus',
        expected: names(fleetExpected),
      },
      {
        url: stagingPrometheus.url,
        origin: 'prometheus',
        expected: names(stagingExpected),
      },
      {
        url: alertmanager.url,
        origin: 'alertmanager',
        expected: names([...fleetExpected, ...stagingExpected]),
      },
    ]);
    records = await collectRecords();

    const down = await closedUrl();
    const results = await refresh([
      endpoints.fleet,
      endpoints.staging,
      endpoints.am,
      { ...endpoints.fleet, name: 'garbage', url: garbage.url },
      { ...endpoints.am, name: 'down', url: down },
    ]);
    expect(results).toEqual([
      {
        endpoint: 'fleet',
        status: 'ok',
        alerts: 6,
        matched: 6,
        writes: expect.any(Number),
      },
      {
        endpoint: 'staging',
        status: 'ok',
        alerts: 2,
        matched: 2,
        writes: expect.any(Number),
      },
      {
        endpoint: 'am',
        status: 'ok',
        alerts: 8,
        matched: 8,
        writes: expect.any(Number),
      },
      {
        endpoint: 'garbage',
        status: 'error',
        message:
          'prometheus garbage: GET /api/v1/alerts: invalid response: HTML, not JSON',
      },
      {
        endpoint: 'down',
        status: 'error',
        message: expect.stringMatching(
          /^alertmanager down: GET \/api\/v2\/alerts: connect ECONNREFUSED/,
        ),
      },
    ]);

    // Each alert names exactly the record of its object, whichever way it came.
    const fleetAlerts = await stored('fleet');
    const stagingAlerts = await stored('staging');
    const amAlerts = await stored('am');
    expect(storedKeys(fleetAlerts)).toEqual(expectedKeys(fleetExpected));
    expect(storedKeys(stagingAlerts)).toEqual(expectedKeys(stagingExpected));
    expect(storedKeys(amAlerts)).toEqual(
      expectedKeys([...fleetExpected, ...stagingExpected]),
    );
    for (const a of [...fleetAlerts, ...stagingAlerts, ...amAlerts]) {
      expect(a.recordIds).toHaveLength(1);
    }

    // Severity, summary and link as the rules and the endpoints define them.
    const now = new Date().toISOString();
    const fleetHost = new URL(fleet.url).host;
    const summaryOf = (alertname: string, o: ScenarioObject) => {
      switch (alertname) {
        case 'FluxKustomizationFailure':
          return `Flux Kustomization Failure (instance ${fleetHost})`;
        case 'ArgocdServiceNotSynced':
          return `ArgoCD service not synced (instance ${fleetHost})`;
        case 'ArgocdServiceUnhealthy':
          return `ArgoCD service unhealthy (instance ${fleetHost})`;
        default:
          return `${o.kind} ${o.namespace}/${o.name} reconciliation has been failing for more than ten minutes.`;
      }
    };
    const severityOf = (alertname: string) =>
      alertname === 'ReconciliationFailure' ? 'critical' : 'warning';
    const check = (
      alerts: ExternalAlert[],
      expected: Expected[],
      link: (e: Expected) => (url: string) => void,
    ) => {
      for (const e of expected) {
        const a = alerts.find(
          x => x.alertname === e.alertname && x.recordIds[0] === e.recordId,
        )!;
        expect({
          key: keyOf(e.alertname, e.recordId),
          severity: a.severity,
          summary: a.summary,
        }).toEqual({
          key: keyOf(e.alertname, e.recordId),
          severity: severityOf(e.alertname),
          summary: summaryOf(e.alertname, e.object),
        });
        expect(a.since >= started && a.since <= now).toBe(true);
        link(e)(a.url);
      }
    };
    check(
      fleetAlerts,
      fleetExpected,
      e => url =>
        expect(url).toBe(
          `${fleetPrometheus.url}/alerts?search=${encodeURIComponent(
            e.alertname,
          )}`,
        ),
    );
    check(
      stagingAlerts,
      stagingExpected,
      () => url =>
        expect(url).toBe(
          `${stagingPrometheus.url}/alerts?search=ReconciliationFailure`,
        ),
    );
    // Through the Alertmanager: the generator URL of the Prometheus that evaluated the rule.
    check(
      amAlerts,
      fleetExpected,
      () => url =>
        expect(`${new URL(url).origin}${new URL(url).pathname}`).toBe(
          `${fleetPrometheus.url}/graph`,
        ),
    );
    check(
      amAlerts,
      stagingExpected,
      () => url =>
        expect(`${new URL(url).origin}${new URL(url).pathname}`).toBe(
          `${stagingPrometheus.url}/graph`,
        ),
    );
    // The staging alerts carry no cluster label in Prometheus; the Alertmanager has the external one.
    expect(stagingAlerts.map(a => a.labels.cluster)).toEqual([
      undefined,
      undefined,
    ]);
    expect(
      amAlerts
        .filter(a => a.alertname === 'ReconciliationFailure')
        .map(a => a.labels.cluster),
    ).toEqual(['staging', 'staging']);
    // Alertmanager ids are its fingerprints; Prometheus ids are label hashes.
    expect(amAlerts.every(a => /^[0-9a-f]{16}$/.test(a.id))).toBe(true);
    expect(fleetAlerts.every(a => /^[0-9a-f]{32}$/.test(a.id))).toBe(true);
  });

  it('follows the fleet, and a failing endpoint keeps its last snapshot while the others refresh', async () => {
    // 215 s: everything recovered but checkout-prod-eu, which drifted OutOfSync (still Healthy);
    // its destination is a cluster *name*, resolved by Argo CD to prod-eu's server.
    fleet.advance(215_000 - 47_500);
    const fleetExpected = expectedFleetAlerts(fleet);
    expect(expectedKeys(fleetExpected)).toEqual([
      'ArgocdServiceNotSynced argocd|prod-eu|argocd|Application|checkout-prod-eu',
    ]);
    expect(expectedStagingAlerts(fleet)).toEqual([]);

    // An alert another client posts to the Alertmanager, about the HelmRelease podinfo/podinfo on
    // prod-us (a Kustomization podinfo/podinfo lives there too), with no generator URL.
    const posted = await fetch(`${alertmanager.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify([
        {
          labels: {
            alertname: 'PodinfoUpgradeSlow',
            cluster: 'prod-us',
            namespace: 'podinfo',
            kind: 'HelmRelease',
            name: 'podinfo',
            severity: 'info',
          },
          annotations: { description: 'podinfo upgrade takes long' },
        },
      ]),
    });
    expect(posted.status).toBe(200);

    const names = (e: Expected[]) =>
      e.map(x => `${x.alertname} ${x.object.name}`).sort();
    await waitForAlerts([
      {
        url: fleetPrometheus.url,
        origin: 'prometheus',
        expected: names(fleetExpected),
      },
      { url: stagingPrometheus.url, origin: 'prometheus', expected: [] },
      {
        url: alertmanager.url,
        origin: 'alertmanager',
        expected: [
          ...names(fleetExpected),
          'PodinfoUpgradeSlow podinfo',
        ].sort(),
      },
    ]);

    const results = await refresh([
      endpoints.fleet,
      endpoints.staging,
      endpoints.am,
    ]);
    expect(results.map(r => [r.endpoint, r.status])).toEqual([
      ['fleet', 'ok'],
      ['staging', 'ok'],
      ['am', 'ok'],
    ]);
    expect(storedKeys(await stored('fleet'))).toEqual(
      expectedKeys(fleetExpected),
    );
    expect(await stored('staging')).toEqual([]);
    const amAlerts = await stored('am');
    expect(storedKeys(amAlerts)).toEqual(
      [
        ...expectedKeys(fleetExpected),
        'PodinfoUpgradeSlow flux|prod-us|podinfo|HelmRelease|podinfo',
      ].sort(),
    );
    expect(
      amAlerts.find(a => a.alertname === 'PodinfoUpgradeSlow'),
    ).toMatchObject({
      severity: 'info',
      summary: 'podinfo upgrade takes long',
      description: 'podinfo upgrade takes long',
      url: `${alertmanager.url}/#/alerts?filter=${encodeURIComponent(
        '{alertname="PodinfoUpgradeSlow"}',
      )}`,
    });

    // The Alertmanager answers garbage now (a login page in front of it): its snapshot stays as
    // it was, the Prometheus endpoints are refreshed.
    const snapshot = await stored('am');
    const again = await refresh([
      endpoints.fleet,
      endpoints.staging,
      { ...endpoints.am, url: garbage.url },
    ]);
    expect(again).toEqual([
      { endpoint: 'fleet', status: 'ok', alerts: 1, matched: 1, writes: 0 },
      { endpoint: 'staging', status: 'ok', alerts: 0, matched: 0, writes: 0 },
      {
        endpoint: 'am',
        status: 'error',
        message:
          'alertmanager am: GET /api/v2/alerts: invalid response: HTML, not JSON',
      },
    ]);
    expect(await stored('am')).toEqual(snapshot);
    expect(garbage.requests.map(r => r.url)).toContain(
      '/api/v2/alerts?active=true&silenced=false&inhibited=false',
    );
  });
});
