import {
  fetchActiveAlerts,
  parseAlertmanagerAlerts,
  parsePrometheusAlerts,
} from './client';
import type { ExternalAlertEndpoint } from './config';
import {
  answer,
  closedUrl,
  startHttpEndpoint,
  type HttpEndpoint,
} from './__testUtils__/httpEndpoint';

const TOKEN = 'tok-3f9a1c-secret';

/** The example of Prometheus' HTTP API docs (GET /api/v1/alerts), plus a pending alert. */
const PROMETHEUS_BODY = JSON.stringify({
  data: {
    alerts: [
      {
        activeAt: '2018-07-04T20:27:12.60602144+02:00',
        annotations: {},
        labels: { alertname: 'my-alert' },
        state: 'firing',
        value: '1e+00',
      },
      {
        activeAt: '2018-07-04T20:30:00Z',
        annotations: { summary: 'not yet' },
        labels: { alertname: 'still-pending' },
        state: 'pending',
        value: '1e+00',
      },
    ],
  },
  status: 'success',
});

/** A gettableAlert list as Alertmanager's API v2 returns it. */
const ALERTMANAGER_BODY = JSON.stringify([
  {
    annotations: { summary: 'Flux Kustomization Failure (instance ksm:8080)' },
    endsAt: '2026-11-23T12:10:00.000Z',
    fingerprint: '4F0ff0a4e5d1e3ab',
    receivers: [{ name: 'null' }],
    startsAt: '2026-11-23T12:00:00.123456789Z',
    status: { inhibitedBy: [], silencedBy: [], state: 'active' },
    updatedAt: '2026-11-23T12:05:00.000Z',
    generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
    labels: { alertname: 'FluxKustomizationFailure', name: 'apps' },
  },
]);

function endpoint(
  url: string,
  type: ExternalAlertEndpoint['type'] = 'prometheus',
): ExternalAlertEndpoint {
  return {
    name: 'ops',
    type,
    url,
    linkUrl: url,
    authorization: `Bearer ${TOKEN}`,
  };
}

const fetchFrom = (
  e: ExternalAlertEndpoint,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
) =>
  fetchActiveAlerts(e, {
    signal: options.signal ?? new AbortController().signal,
    timeoutMs: options.timeoutMs ?? 5000,
  });

describe('fetchActiveAlerts', () => {
  let server: HttpEndpoint | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('reads the firing alerts of a Prometheus, with the bearer token', async () => {
    server = await startHttpEndpoint(answer(200, PROMETHEUS_BODY));
    const alerts = await fetchFrom(endpoint(`${server.url}/prom`));
    expect(alerts).toEqual([
      {
        labels: { alertname: 'my-alert' },
        annotations: {},
        since: '2018-07-04T18:27:12.606Z',
      },
    ]);
    expect(server.requests).toEqual([
      expect.objectContaining({ method: 'GET', url: '/prom/api/v1/alerts' }),
    ]);
    expect(server.requests[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(server.requests[0].headers.accept).toBe('application/json');
  });

  it('asks an Alertmanager for active alerts that are neither silenced nor inhibited', async () => {
    server = await startHttpEndpoint(answer(200, ALERTMANAGER_BODY));
    const alerts = await fetchFrom(endpoint(server.url, 'alertmanager'));
    expect(server.requests.map(r => r.url)).toEqual([
      '/api/v2/alerts?active=true&silenced=false&inhibited=false',
    ]);
    expect(alerts).toEqual([
      {
        labels: { alertname: 'FluxKustomizationFailure', name: 'apps' },
        annotations: {
          summary: 'Flux Kustomization Failure (instance ksm:8080)',
        },
        since: '2026-11-23T12:00:00.123Z',
        fingerprint: '4f0ff0a4e5d1e3ab',
        generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
      },
    ]);
  });

  it.each<[string, number, string, string, string]>([
    [
      'an HTML page',
      200,
      '<!doctype html><html><body>Sign in</body></html>',
      'prometheus',
      'prometheus ops: GET /api/v1/alerts: invalid response: HTML, not JSON',
    ],
    [
      'garbage',
      200,
      'this is not json',
      'alertmanager',
      'alertmanager ops: GET /api/v2/alerts: invalid response: not JSON ("this is not json")',
    ],
    [
      'a query result instead of alerts',
      200,
      '{"status":"success","data":{"resultType":"vector","result":[]}}',
      'prometheus',
      'prometheus ops: GET /api/v1/alerts: invalid response: data.alerts is not an array',
    ],
    [
      'a Prometheus answer from an Alertmanager URL',
      200,
      PROMETHEUS_BODY,
      'alertmanager',
      'alertmanager ops: GET /api/v2/alerts: invalid response: not an array of alerts',
    ],
    [
      'an alert without labels',
      200,
      '[{"annotations":{},"fingerprint":"ab","startsAt":"2026-01-01T00:00:00Z"}]',
      'alertmanager',
      'alertmanager ops: GET /api/v2/alerts: invalid response: [0].labels is not an object',
    ],
    [
      'a label that is not a string',
      200,
      '{"status":"success","data":{"alerts":[{"labels":{"alertname":"a","n":1},"state":"firing","activeAt":"2026-01-01T00:00:00Z"}]}}',
      'prometheus',
      'prometheus ops: GET /api/v1/alerts: invalid response: data.alerts[0].labels.n is not a string',
    ],
    [
      'a firing alert without activeAt',
      200,
      '{"status":"success","data":{"alerts":[{"labels":{"alertname":"a"},"state":"firing"}]}}',
      'prometheus',
      'prometheus ops: GET /api/v1/alerts: invalid response: data.alerts[0].activeAt is not a time',
    ],
    [
      'a Prometheus error',
      422,
      '{"status":"error","errorType":"execution","error":"boom"}',
      'prometheus',
      'prometheus ops: GET /api/v1/alerts: 422 Unprocessable Entity: boom',
    ],
    [
      'a 500 with an HTML page',
      500,
      '<html>oops</html>',
      'alertmanager',
      'alertmanager ops: GET /api/v2/alerts: 500 Internal Server Error',
    ],
  ])(
    'fails on %s, naming the endpoint and what was wrong',
    async (_what, status, body, type, message) => {
      server = await startHttpEndpoint(answer(status, body));
      await expect(
        fetchFrom(endpoint(server.url, type as ExternalAlertEndpoint['type'])),
      ).rejects.toThrow(message);
    },
  );

  it('never puts the token in an error, even when the server echoes it', async () => {
    server = await startHttpEndpoint((req, res) => {
      res.writeHead(401, { 'Content-Type': 'text/plain' });
      res.end(`invalid credentials: ${req.headers.authorization}`);
    });
    const error = await fetchFrom(endpoint(server.url)).catch(e => e);
    expect(String(error)).toContain(
      'prometheus ops: GET /api/v1/alerts: 401 Unauthorized: invalid credentials: <redacted>',
    );
    expect(String(error)).not.toContain(TOKEN);
  });

  it('does not follow redirects: only the configured URL is called', async () => {
    const elsewhere = await startHttpEndpoint(answer(200, PROMETHEUS_BODY));
    try {
      server = await startHttpEndpoint((_req, res) => {
        res.writeHead(302, { Location: `${elsewhere.url}/api/v1/alerts` });
        res.end();
      });
      await expect(fetchFrom(endpoint(server.url))).rejects.toThrow(
        'prometheus ops: GET /api/v1/alerts: 302 Found',
      );
      expect(elsewhere.requests).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });

  it('times out', async () => {
    server = await startHttpEndpoint(() => {
      // never answers
    });
    const started = Date.now();
    await expect(
      fetchFrom(endpoint(server.url), { timeoutMs: 300 }),
    ).rejects.toThrow(
      'prometheus ops: GET /api/v1/alerts: timed out after 300 ms',
    );
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('stops when the caller aborts', async () => {
    server = await startHttpEndpoint(() => {
      // never answers
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(
      fetchFrom(endpoint(server.url), {
        signal: controller.signal,
        timeoutMs: 10_000,
      }),
    ).rejects.toThrow('prometheus ops: GET /api/v1/alerts: aborted');
  });

  it('says when nothing listens', async () => {
    await expect(fetchFrom(endpoint(await closedUrl()))).rejects.toThrow(
      /^prometheus ops: GET \/api\/v1\/alerts: connect ECONNREFUSED 127\.0\.0\.1:\d+$/,
    );
  });
});

describe('parsing', () => {
  it('skips pending Prometheus alerts before checking their times', () => {
    expect(
      parsePrometheusAlerts(
        '{"status":"success","data":{"alerts":[{"labels":{"alertname":"a"},"state":"pending"}]}}',
      ),
    ).toEqual([]);
  });

  it('keeps label names from the network as plain data', () => {
    const [alert] = parseAlertmanagerAlerts(
      '[{"labels":{"alertname":"a","__proto__":"x","constructor":"y"},"annotations":{},"fingerprint":"ab","startsAt":"2026-01-01T00:00:00Z"}]',
    ) as Exclude<ReturnType<typeof parseAlertmanagerAlerts>, string>;
    expect(Object.getPrototypeOf(alert.labels)).toBeNull();
    expect(Object.keys(alert.labels).sort()).toEqual([
      '__proto__',
      'alertname',
      'constructor',
    ]);
  });

  it('rejects a fingerprint that is not hexadecimal', () => {
    expect(
      parseAlertmanagerAlerts(
        '[{"labels":{"alertname":"a"},"annotations":{},"fingerprint":"../x","startsAt":"2026-01-01T00:00:00Z"}]',
      ),
    ).toBe('[0].fingerprint is not a hexadecimal string');
  });
});
