import { mockServices } from '@backstage/backend-test-utils';
import type { SourceTargetResult } from '@gitops-status/plugin-gitops-node';
import { startDemoFleet } from '@gitops-status/demo-fleet';
import { ClusterDirectory } from '../../config/clusters';
import { isValidRecord } from '../../normalize';
import { readFixture } from '../../normalize/__testUtils__/fixtures';
import type { PrometheusConfig } from './config';
import { QUERIES } from './mapping';
import {
  PrometheusSource,
  type PrometheusSourceOptions,
} from './PrometheusSource';
import { parseExposition, vectorBody } from './__testUtils__/exposition';
import { startStub, type StubServer } from './__testUtils__/stubServer';

jest.setTimeout(20_000);

const SECRET = 'Bearer s3cr3t-t0ken-value';

function config(
  url: string,
  extra: Partial<PrometheusConfig> = {},
): PrometheusConfig {
  return {
    name: 'default',
    url,
    headers: { Authorization: SECRET, 'X-Scope-OrgID': 'tenant-a' },
    clusterLabel: 'cluster',
    skipTLSVerify: false,
    ...extra,
  };
}

function source(url: string, extra: Partial<PrometheusSourceOptions> = {}) {
  return new PrometheusSource({
    prometheus: config(url),
    clusters: new ClusterDirectory([]),
    logger: mockServices.logger.mock(),
    requestTimeoutMs: 500,
    retry: { attempts: 3, backoffMs: 10 },
    now: () => new Date('2025-01-01T00:00:00Z'),
    ...extra,
  });
}

async function collectOnce(
  s: PrometheusSource,
  signal = new AbortController().signal,
) {
  const reports: SourceTargetResult[] = [];
  await s.collect({
    sink: { report: async r => void reports.push(r) },
    signal,
  });
  return reports;
}

/** The fixture series a Prometheus would return for each of the source's queries. */
const FIXTURE_ANSWERS: Record<string, string> = (() => {
  const argo = parseExposition(
    readFixture('prometheus/argo-cd_controller-metrics_exposition.prom'),
  ).get('argocd_app_info')!;
  const ksm = parseExposition(
    readFixture(
      'prometheus/flux-website_gotk_resource_info_helmrelease_exposition.prom',
    ),
  ).get('gotk_resource_info')!;
  const withCluster = <T extends { metric: Record<string, string> }>(s: T[]) =>
    s.map(x => ({ ...x, metric: { ...x.metric, cluster: 'mgmt' } }));
  return {
    [QUERIES.argocdAppInfo]: vectorBody(withCluster(argo)),
    [QUERIES.resourceInfo]: vectorBody(withCluster(ksm)),
    [QUERIES.reconcileCondition]: vectorBody([]),
    [QUERIES.suspendStatus]: vectorBody([]),
  };
})();

describe('PrometheusSource', () => {
  let stub: StubServer | undefined;
  afterEach(async () => {
    await stub?.close();
    stub = undefined;
  });

  it('runs four instant queries with the configured headers and reports one complete snapshot', async () => {
    stub = await startStub((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(FIXTURE_ANSWERS[req.query ?? ''] ?? vectorBody([]));
    });
    const reports = await collectOnce(source(`${stub.url}/prom/`));
    expect(stub.requests.map(r => r.query).sort()).toEqual(
      Object.values(QUERIES).sort(),
    );
    for (const r of stub.requests) {
      // a path prefix (Thanos, Mimir, a reverse proxy) is kept
      expect(r.url).toBe('/prom/api/v1/query');
      expect(r.headers.authorization).toBe(SECRET);
      expect(r.headers['x-scope-orgid']).toBe('tenant-a');
    }
    expect(reports).toHaveLength(1);
    const [report] = reports;
    expect(report).toMatchObject({
      id: 'prometheus:default',
      target: 'default',
      status: 'ok',
    });
    expect(report.message).toBeUndefined();
    expect(
      report.records!.map(r => `${r.kind} ${r.namespace}/${r.name}`).sort(),
    ).toEqual([
      'Application argocd/my-app',
      'Application argocd/my-app-2',
      'Application argocd/my-app-3',
      'HelmRelease monitoring/kube-prometheus-stack',
    ]);
    for (const r of report.records!) expect(isValidRecord(r)).toEqual([]);
  });

  it('names the source after the instance when there are several', () => {
    const s = source('http://127.0.0.1:1', {
      prometheus: config('http://127.0.0.1:1', { name: 'eu' }),
    });
    expect(s.id).toBe('prometheus-eu');
    expect(s.targetId).toBe('prometheus:eu');
    expect(s.type).toBe('prometheus');
    expect(source('http://127.0.0.1:1').id).toBe('prometheus');
  });

  it('says in the report which series it could not attribute', async () => {
    stub = await startStub((req, res) => {
      res.end(
        req.query === QUERIES.resourceInfo
          ? vectorBody([
              {
                metric: {
                  customresource_group: 'kustomize.toolkit.fluxcd.io',
                  customresource_kind: 'Kustomization',
                  exported_namespace: 'apps',
                  name: 'apps',
                  ready: 'True',
                },
                value: [1, '1'],
              },
            ])
          : vectorBody([]),
      );
    });
    const [report] = await collectOnce(source(stub.url));
    expect(report.status).toBe('ok');
    expect(report.records).toEqual([]);
    expect(report.message).toBe(
      'skipped 1 series of gotk_resource_info without a cluster label (set defaultCluster)',
    );
  });

  it('retries a transient failure and then succeeds', async () => {
    let failures = 0;
    stub = await startStub((req, res) => {
      if (req.query === QUERIES.resourceInfo && failures < 2) {
        failures++;
        res.statusCode = 503;
        res.end('overloaded');
        return;
      }
      res.end(FIXTURE_ANSWERS[req.query ?? ''] ?? vectorBody([]));
    });
    const [report] = await collectOnce(source(stub.url));
    expect(report.status).toBe('ok');
    expect(
      stub.requests.filter(r => r.query === QUERIES.resourceInfo),
    ).toHaveLength(3);
  });

  describe('failures: an error report without records, never a header value', () => {
    const expectError = (reports: SourceTargetResult[], pattern: RegExp) => {
      expect(reports).toHaveLength(1);
      const [r] = reports;
      expect(r).toMatchObject({
        id: 'prometheus:default',
        target: 'default',
        status: 'error',
      });
      expect(r.records).toBeUndefined();
      expect(r.message).toMatch(pattern);
      expect(r.message).not.toContain('s3cr3t');
      expect(r.message).not.toContain('tenant-a');
    };

    it('Prometheus down (connection refused)', async () => {
      const closed = await startStub(() => undefined);
      await closed.close();
      const started = Date.now();
      const reports = await collectOnce(source(closed.url));
      expectError(
        reports,
        /^prometheus default: query \w+: connect ECONNREFUSED 127\.0\.0\.1:\d+ \(3 attempts\)$/,
      );
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('5xx, with the body echoing the credentials', async () => {
      stub = await startStub((req, res) => {
        if (req.query !== QUERIES.resourceInfo) {
          res.end(vectorBody([]));
          return;
        }
        res.statusCode = 503;
        res.statusMessage = 'Service Unavailable';
        // a misbehaving proxy that quotes the request headers back
        res.end(
          `no upstream for ${req.headers.authorization} ${req.headers['x-scope-orgid']}`,
        );
      });
      const reports = await collectOnce(source(stub.url));
      expectError(
        reports,
        /^prometheus default: query gotk_resource_info: 503 Service Unavailable: no upstream for <redacted> <redacted> \(3 attempts\)$/,
      );
      // the failing query was tried three times, the others once
      expect(stub.requests.map(r => r.query).sort()).toEqual(
        [
          ...Object.values(QUERIES),
          QUERIES.resourceInfo,
          QUERIES.resourceInfo,
        ].sort(),
      );
    });

    it('Prometheus rejecting a query (4xx) is not retried and its error is shown', async () => {
      stub = await startStub((req, res) => {
        if (req.query !== QUERIES.argocdAppInfo) {
          res.end(vectorBody([]));
          return;
        }
        res.statusCode = 400;
        res.statusMessage = 'Bad Request';
        res.setHeader('Content-Type', 'application/json');
        res.end(
          JSON.stringify({
            status: 'error',
            errorType: 'bad_data',
            error: 'invalid parameter "query": 1:1: parse error',
          }),
        );
      });
      const reports = await collectOnce(source(stub.url));
      expectError(
        reports,
        /^prometheus default: query argocd_app_info: 400 Bad Request: bad_data: invalid parameter "query": 1:1: parse error$/,
      );
      // not retried (the other queries were cancelled when it failed)
      expect(
        stub.requests.filter(r => r.query === QUERIES.argocdAppInfo),
      ).toHaveLength(1);
    });

    it('a 200 that is not JSON', async () => {
      stub = await startStub((_req, res) => {
        res.end('<html>login</html>');
      });
      expectError(
        await collectOnce(source(stub.url)),
        /^prometheus default: query \w+: invalid response: not JSON/,
      );
      // a malformed answer is not retried
      expect(stub.requests.length).toBeLessThanOrEqual(4);
    });

    it.each([
      [
        'status error',
        { status: 'error', error: 'boom' },
        /status "error": boom/,
      ],
      [
        'a matrix',
        { status: 'success', data: { resultType: 'matrix', result: [] } },
        /resultType "matrix", expected vector/,
      ],
      [
        'no result array',
        { status: 'success', data: { resultType: 'vector' } },
        /data\.result is not an array/,
      ],
      [
        'a bad sample',
        {
          status: 'success',
          data: {
            resultType: 'vector',
            result: [{ metric: { a: 1 }, value: [1, '1'] }],
          },
        },
        /result\[0\]\.metric has a non-string label value/,
      ],
      [
        'a bad value',
        {
          status: 'success',
          data: { resultType: 'vector', result: [{ metric: {}, value: '1' }] },
        },
        /result\[0\]\.value is not \[time, "value"\]/,
      ],
    ])('a malformed body: %s', async (_what, body, pattern) => {
      stub = await startStub((_req, res) => {
        res.end(JSON.stringify(body));
      });
      const reports = await collectOnce(source(stub.url));
      expectError(reports, /invalid response/);
      expect(reports[0].message).toMatch(pattern);
    });

    it('a timeout', async () => {
      stub = await startStub(() => undefined); // never answers
      const started = Date.now();
      const reports = await collectOnce(
        source(stub.url, {
          requestTimeoutMs: 200,
          retry: { attempts: 2, backoffMs: 10 },
        }),
      );
      expectError(
        reports,
        /^prometheus default: query \w+: timed out after 200 ms \(2 attempts\)$/,
      );
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('the session ending mid-query: returns promptly, reports nothing', async () => {
      stub = await startStub(() => undefined);
      const controller = new AbortController();
      const s = source(stub.url, { requestTimeoutMs: 10_000 });
      const pending = collectOnce(s, controller.signal);
      await new Promise(r => setTimeout(r, 100));
      const started = Date.now();
      controller.abort();
      expect(await pending).toEqual([]);
      expect(Date.now() - started).toBeLessThan(500);
    });
  });

  describe('TLS (the demo fleet as an HTTPS server with its own CA)', () => {
    it('trusts caData, refuses an unknown CA, and skipTLSVerify skips the check', async () => {
      const fleet = await startDemoFleet({ clock: 'manual' });
      try {
        const base = { headers: { Authorization: `Bearer ${fleet.token}` } };
        const run = (extra: Partial<PrometheusConfig>) =>
          collectOnce(
            source(fleet.url, {
              prometheus: config(fleet.url, { ...base, ...extra }),
              retry: { attempts: 1 },
            }),
          );
        // The fleet is no Prometheus: getting an HTTP status proves the TLS handshake worked.
        const [trusted] = await run({
          caData: fleet.caPem,
        });
        expect(trusted.message).toMatch(/^prometheus default: query \w+: 404 /);
        const [untrusted] = await run({});
        expect(untrusted.message).toMatch(/certificate/);
        const [skipped] = await run({ skipTLSVerify: true });
        expect(skipped.message).toMatch(/: 404 /);
        expect(
          [trusted, untrusted, skipped].every(
            r => !r.message!.includes(fleet.token),
          ),
        ).toBe(true);
      } finally {
        await fleet.stop();
      }
    });
  });
});
