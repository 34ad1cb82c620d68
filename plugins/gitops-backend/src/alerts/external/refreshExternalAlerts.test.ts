import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { ClusterDirectory } from '../../config/clusters';
import { ExternalAlertStore } from '../../store/ExternalAlertStore';
import { record } from '../__testUtils__/fixtures';
import type { ExternalAlertEndpoint } from './config';
import { refreshExternalAlerts } from './refreshExternalAlerts';
import { CircuitBreakers } from '../../sources/resilience';
import {
  answer,
  closedUrl,
  startHttpEndpoint,
  type HttpEndpoint,
} from './__testUtils__/httpEndpoint';

jest.setTimeout(30_000);

const TOKEN = 'am-token-7d1e2f';

const RECORDS = [
  record({ cluster: 'dev', namespace: 'flux-system', name: 'apps' }),
  record({ cluster: 'prod', namespace: 'flux-system', name: 'apps' }),
];

/** Prometheus' /api/v1/alerts: one alert naming dev's apps, one naming nothing we know. */
const PROMETHEUS_BODY = JSON.stringify({
  status: 'success',
  data: {
    alerts: [
      {
        labels: {
          alertname: 'ReconciliationFailure',
          exported_namespace: 'flux-system',
          kind: 'Kustomization',
          name: 'apps',
          severity: 'page',
        },
        annotations: { summary: 'apps failing' },
        state: 'firing',
        activeAt: '2026-11-23T12:00:00Z',
        value: '1e+00',
      },
      {
        labels: { alertname: 'Watchdog', severity: 'none' },
        annotations: {},
        state: 'firing',
        activeAt: '2026-11-23T11:00:00Z',
        value: '1e+00',
      },
    ],
  },
});

/** Alertmanager's /api/v2/alerts: the same failure, from a fleet-wide Prometheus. */
const ALERTMANAGER_BODY = JSON.stringify([
  {
    labels: {
      alertname: 'ReconciliationFailure',
      cluster: 'prod',
      exported_namespace: 'flux-system',
      kind: 'Kustomization',
      name: 'apps',
      severity: 'page',
    },
    annotations: { summary: 'apps failing on prod' },
    fingerprint: 'c0ffee0123456789',
    startsAt: '2026-11-23T12:01:00Z',
    endsAt: '2026-11-23T13:00:00Z',
    updatedAt: '2026-11-23T12:02:00Z',
    status: { state: 'active', silencedBy: [], inhibitedBy: [] },
    receivers: [{ name: 'null' }],
  },
]);

describe('refreshExternalAlerts', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  const servers: HttpEndpoint[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(s => s.close()));
  });

  async function serve(handler: Parameters<typeof startHttpEndpoint>[0]) {
    const s = await startHttpEndpoint(handler);
    servers.push(s);
    return s;
  }

  async function setup() {
    const knex = await databases.init('SQLITE_3');
    return ExternalAlertStore.create({
      database: mockServices.database({ knex, migrations: { skip: false } }),
    });
  }

  it('stores each endpoint’s matching alerts; a failing endpoint keeps its last snapshot and hides nothing', async () => {
    const store = await setup();
    const logger = mockServices.logger.mock();
    const prometheus = await serve(answer(200, PROMETHEUS_BODY));
    let alertmanagerBody = ALERTMANAGER_BODY;
    const alertmanager = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(alertmanagerBody);
    });
    const endpoints: ExternalAlertEndpoint[] = [
      {
        name: 'dev-prometheus',
        type: 'prometheus',
        url: prometheus.url,
        linkUrl: 'https://prometheus.dev.example.com',
        cluster: 'dev',
      },
      {
        name: 'am',
        type: 'alertmanager',
        url: alertmanager.url,
        linkUrl: alertmanager.url,
        authorization: `Bearer ${TOKEN}`,
      },
    ];
    const refresh = (list = endpoints) =>
      refreshExternalAlerts({
        endpoints: list,
        records: RECORDS,
        clusters: new ClusterDirectory([]),
        store,
        signal: new AbortController().signal,
        logger,
        timeoutMs: 500,
      });

    expect(await refresh()).toEqual([
      {
        endpoint: 'dev-prometheus',
        status: 'ok',
        alerts: 2,
        matched: 1,
        // 1 alert + 1 link
        writes: 2,
      },
      { endpoint: 'am', status: 'ok', alerts: 1, matched: 1, writes: 2 },
    ]);
    const first = await store.list();
    expect(first.map(a => [a.endpoint, a.recordIds, a.severity])).toEqual([
      ['am', ['flux|prod|flux-system|Kustomization|apps'], 'critical'],
      [
        'dev-prometheus',
        ['flux|dev|flux-system|Kustomization|apps'],
        'critical',
      ],
    ]);
    expect(first[0].url).toBe(
      `${alertmanager.url}/#/alerts?filter=%7Balertname%3D%22ReconciliationFailure%22%7D`,
    );
    expect(first[1].url).toBe(
      'https://prometheus.dev.example.com/alerts?search=ReconciliationFailure',
    );
    // Nothing changed: nothing written.
    expect((await refresh()).map(r => r.status === 'ok' && r.writes)).toEqual([
      0, 0,
    ]);

    // The Alertmanager now answers garbage, and the Prometheus is gone: both fail, both keep
    // their last snapshot.
    alertmanagerBody = '<html>login</html>';
    const down = { ...endpoints[0], url: await closedUrl() };
    const results = await refresh([down, endpoints[1]]);
    expect(results).toEqual([
      {
        endpoint: 'dev-prometheus',
        status: 'error',
        message: expect.stringMatching(
          /^prometheus dev-prometheus: GET \/api\/v1\/alerts: connect ECONNREFUSED/,
        ),
      },
      {
        endpoint: 'am',
        status: 'error',
        message:
          'alertmanager am: GET /api/v2/alerts: invalid response: HTML, not JSON',
      },
    ]);
    expect(await store.list()).toEqual(first);
    const warnings = logger.warn.mock.calls.map(c => String(c[0]));
    expect(warnings).toHaveLength(2);
    expect(warnings.join('\n')).not.toContain(TOKEN);

    // A slow endpoint times out on its own; the other one is refreshed meanwhile.
    alertmanagerBody = '[]';
    const slow = await serve(() => {
      // never answers
    });
    const [slowResult, amResult] = await refresh([
      { ...endpoints[0], url: slow.url },
      endpoints[1],
    ]);
    expect(slowResult).toEqual({
      endpoint: 'dev-prometheus',
      status: 'error',
      message:
        'prometheus dev-prometheus: GET /api/v1/alerts: timed out after 500 ms',
    });
    expect(amResult).toEqual({
      endpoint: 'am',
      status: 'ok',
      alerts: 0,
      matched: 0,
      writes: 2,
    });
    expect((await store.list()).map(a => a.endpoint)).toEqual([
      'dev-prometheus',
    ]);

    // An endpoint removed from the config loses its snapshot.
    expect(await refresh([endpoints[1]])).toEqual([
      { endpoint: 'am', status: 'ok', alerts: 0, matched: 0, writes: 0 },
    ]);
    expect(await store.list()).toEqual([]);
  });

  it('tries a 5xx again with backoff, and stops calling an endpoint whose circuit opened', async () => {
    const store = await setup();
    let failures = 2;
    const flaky = await serve((_req, res) => {
      if (failures-- > 0) {
        res.writeHead(503, { 'Content-Type': 'text/plain' });
        res.end('busy');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(PROMETHEUS_BODY);
    });
    const endpoint: ExternalAlertEndpoint = {
      name: 'p',
      type: 'prometheus',
      url: flaky.url,
      linkUrl: flaky.url,
      cluster: 'dev',
    };
    const breakers = new CircuitBreakers({
      failures: 2,
      halfOpenAfterMs: 60_000,
    });
    const refresh = (e = endpoint) =>
      refreshExternalAlerts({
        endpoints: [e],
        records: RECORDS,
        clusters: new ClusterDirectory([]),
        store,
        signal: new AbortController().signal,
        logger: mockServices.logger.mock(),
        timeoutMs: 500,
        breakers,
      });
    // Two 503s, then the answer: one refresh, three requests.
    expect((await refresh())[0]).toMatchObject({ status: 'ok', matched: 1 });
    expect(flaky.requests).toHaveLength(3);

    // An endpoint that keeps refusing (4xx: not retried) opens its circuit after 2 refreshes.
    const refusing = await serve(answer(401, '{"error":"no"}'));
    const bad = { ...endpoint, name: 'q', url: refusing.url };
    await refresh(bad);
    await refresh(bad);
    expect(refusing.requests).toHaveLength(2);
    const [skipped] = await refresh(bad);
    expect(refusing.requests).toHaveLength(2);
    expect(skipped).toMatchObject({
      status: 'error',
      message: expect.stringContaining(
        'prometheus q: circuit open after 2 consecutive failures',
      ),
    });
  });
});
