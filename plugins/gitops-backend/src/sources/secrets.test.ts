/*
 * Credentials never appear in a reported result, a log line or an error message. Every source is
 * configured with distinctive secrets — the Kubernetes bearer token, an Argo CD token and password,
 * an Azure access token and client secret, a Prometheus bearer token — and run against the demo
 * fleet under each of its failures, then against servers that echo the request's credentials back
 * in their error bodies (a misconfigured proxy, a debugging endpoint). Every log line and every
 * report is searched for every secret.
 */
import { ClientSecretCredential } from '@azure/identity';
import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  startDemoFleet,
  type DemoFleet,
  type FaultType,
} from '@gitops-status/demo-fleet';
import type {
  GitOpsSource,
  SourceTargetResult,
} from '@gitops-status/plugin-gitops-node';
import http from 'node:http';
import { ClusterDirectory, type ClusterConfig } from '../config/clusters';
import { ArgoCdApiSource } from './argocd';
import type { ArgoCdInstanceConfig } from './argocd/config';
import { AzureResourceGraphSource } from './azure/AzureResourceGraphSource';
import { KubernetesSource } from './kubernetes/KubernetesSource';
import { PrometheusSource } from './prometheus/PrometheusSource';
import {
  startStub,
  type StubServer,
} from './prometheus/__testUtils__/stubServer';

jest.setTimeout(90_000);

/** Distinctive values: any of them in a message or a log line is a leak. */
const SECRETS = {
  /** The fleet's bearer token: Kubernetes service account token, Argo CD token, Azure token. */
  fleet: 'fleet-bearer-SECRET-3f9a1c77e2',
  argocdToken: 'argocd-token-SECRET-8d2b6e41a0',
  argocdPassword: 'argocd-password-SECRET-5c7f09d3b8',
  azureClientSecret: 'azure-client-secret-SECRET-1e4d8a6f2c',
  azureToken: 'azure-access-token-SECRET-9b3e5d7c1f',
  /** A token the service principal's credential obtained (not configured anywhere). */
  azureIssued: 'azure-issued-token-SECRET-6d0f2b8e4a',
  prometheus: 'prometheus-bearer-SECRET-2a8c4e6b0d',
  kubernetes: 'kubernetes-sa-token-SECRET-7e1b3d5f9a',
};

/** Every log line of every logger and child logger, with its metadata. */
function capturingLogger(lines: string[], meta: object = {}): LoggerService {
  const log = (level: string) => (message: string, extra?: Error | object) => {
    const err = extra instanceof Error ? `${extra.stack ?? extra}` : '';
    lines.push(
      `${level} ${message} ${JSON.stringify({
        ...meta,
        ...(extra instanceof Error ? {} : extra),
      })} ${err}`,
    );
  };
  return {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: more => capturingLogger(lines, { ...meta, ...more }),
  };
}

interface Run {
  lines: string[];
  reports: SourceTargetResult[];
}

/** Runs sources as one session of `sessionMs`, capturing what they report and log. */
async function session(
  make: (logger: LoggerService) => GitOpsSource[],
  sessionMs: number,
): Promise<Run> {
  const lines: string[] = [];
  const reports: SourceTargetResult[] = [];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), sessionMs);
  try {
    await Promise.all(
      make(capturingLogger(lines)).map(s =>
        s
          .collect({
            sink: { report: async r => void reports.push(r) },
            signal: controller.signal,
          })
          .catch(e => lines.push(`collect threw: ${e?.stack ?? e}`)),
      ),
    );
  } finally {
    clearTimeout(timer);
  }
  return { lines, reports };
}

/** Where each secret shows up; empty when none does. */
function leaks(run: Run): string[] {
  const texts = [
    ...run.lines.map(l => `log: ${l}`),
    ...run.reports.map(r => `report ${r.id}: ${JSON.stringify(r)}`),
  ];
  return Object.entries(SECRETS).flatMap(([name, secret]) =>
    texts
      .filter(t => t.includes(secret))
      .map(t => `${name} in ${t.slice(0, 300)}`),
  );
}

const errorReports = (run: Run) =>
  run.reports.filter(r => r.status === 'error');

describe('no secret in a report, a log line or an error message', () => {
  let fleet: DemoFleet;
  let stubs: StubServer[] = [];

  beforeAll(async () => {
    fleet = await startDemoFleet({ clock: 'manual', token: SECRETS.fleet });
  });
  afterAll(() => fleet.stop());
  afterEach(async () => {
    await Promise.all(stubs.map(s => s.close()));
    stubs = [];
    for (const target of [
      ...fleet.clusters.map(c => c.name),
      'argocd/main',
      'azure',
    ]) {
      fleet.setFault(target, undefined);
    }
  });

  const caData = () => Buffer.from(fleet.caPem).toString('base64');
  const directory = (
    urlOf: (c: DemoFleet['clusters'][number]) => string = c => c.server,
    token = SECRETS.fleet,
  ) =>
    new ClusterDirectory(
      fleet.clusters.map(
        (c): ClusterConfig => ({
          name: c.name,
          url: urlOf(c),
          authProvider: 'serviceAccount',
          serviceAccountToken: token,
          caData: caData(),
          // client-node only talks plain HTTP (the echo server) with skipTLSVerify.
          skipTLSVerify: urlOf(c).startsWith('http:'),
          aliases: [c.serverAlias],
          azureResourceId: c.azureResourceId,
          collect: true,
        }),
      ),
    );
  const argoInstance = (
    over: Partial<ArgoCdInstanceConfig>,
  ): ArgoCdInstanceConfig => ({
    name: 'main',
    url: fleet.argocd.url,
    caData: caData(),
    skipTLSVerify: false,
    namespaces: [],
    projects: [],
    cluster: fleet.argocd.cluster,
    ...over,
  });
  const prometheus = (url: string, logger: LoggerService) =>
    new PrometheusSource({
      prometheus: {
        name: 'default',
        url,
        headers: { Authorization: `Bearer ${SECRETS.prometheus}` },
        clusterLabel: 'cluster',
        skipTLSVerify: false,
      },
      clusters: directory(),
      logger,
      requestTimeoutMs: 500,
      retry: { attempts: 2, backoffMs: 10 },
    });

  /** A Prometheus query API failing the way the fleet's endpoints fail under `fault`. */
  async function faultyPrometheus(fault: string) {
    const stub = await startStub((_req, res) => {
      switch (fault) {
        case 'unauthorized':
          res.statusCode = 401;
          res.end('Unauthorized\n');
          return;
        case 'garbage':
          res.setHeader('content-type', 'application/json');
          res.end('{"status":"success","data":<html>502 Bad Gateway</html>');
          return;
        case 'error':
          res.statusCode = 500;
          res.end('An error has occurred while serving metrics\n');
          return;
        default:
          res.socket?.destroy();
      }
    });
    stubs.push(stub);
    return stub;
  }

  it.each<FaultType>(['unauthorized', 'garbage', 'error', 'down'])(
    'every source under the fleet fault %s',
    async fault => {
      for (const c of fleet.clusters) fleet.setFault(c.name, fault);
      fleet.setFault('argocd/main', fault);
      fleet.setFault('azure', fault);
      const promStub = await faultyPrometheus(fault);

      const run = await session(
        logger => [
          new KubernetesSource({
            clusters: directory(),
            logger: logger.child({ source: 'kubernetes' }),
            requestTimeoutMs: 500,
            concurrency: 4,
          }),
          new ArgoCdApiSource({
            instances: [
              argoInstance({ token: SECRETS.fleet }),
              argoInstance({
                name: 'login',
                username: 'admin',
                password: SECRETS.argocdPassword,
              }),
            ],
            clusters: directory(),
            logger: logger.child({ source: 'argocd-api' }),
            requestTimeoutMs: 500,
            retry: { attempts: 2, baseDelayMs: 10 },
          }),
          new AzureResourceGraphSource({
            azure: {
              subscriptions: [fleet.azure.subscriptionId],
              endpoint: fleet.azure.endpoint,
              caData: caData(),
              accessToken: SECRETS.fleet,
            },
            clusters: directory(),
            logger: logger.child({ source: 'azure' }),
            requestTimeoutMs: 500,
            retry: { attempts: 2, baseDelayMs: 10 },
          }),
          // A service principal: the token request goes to the fleet, which is no authority.
          new AzureResourceGraphSource({
            azure: {
              subscriptions: ['00000000-0000-0000-0000-000000000000'],
              endpoint: fleet.azure.endpoint,
              caData: caData(),
              tenantId: fleet.azure.tenantId,
              clientId: 'backstage-gitops',
              clientSecret: SECRETS.azureClientSecret,
            },
            credential: new ClientSecretCredential(
              fleet.azure.tenantId,
              'backstage-gitops',
              SECRETS.azureClientSecret,
              { authorityHost: fleet.url, disableInstanceDiscovery: true },
            ),
            clusters: directory(),
            logger: logger.child({ source: 'azure' }),
            requestTimeoutMs: 500,
            retry: { attempts: 1 },
          }),
          prometheus(promStub.url, logger.child({ source: 'prometheus' })),
        ],
        1500,
      );

      expect(leaks(run)).toEqual([]);
      // The secrets were in play, and every target failed and said so.
      expect(fleet.requestCount()).toBeGreaterThan(0);
      expect(promStub.requests[0]?.headers.authorization).toBe(
        `Bearer ${SECRETS.prometheus}`,
      );
      const failed = new Set(errorReports(run).map(r => r.id.split(':')[0]));
      expect([...failed].sort()).toEqual([
        'argocd-api',
        'azure',
        'kubernetes',
        'prometheus',
      ]);
      expect(run.lines.length).toBeGreaterThan(0);
    },
  );

  /** A server that answers every request with an error quoting its credentials and body. */
  async function echoServer(
    status: number,
    body: (echo: string) => string,
  ): Promise<{ url: string; echoed: string[]; close(): Promise<void> }> {
    const echoed: string[] = [];
    const server = http.createServer((req, res) => {
      let requestBody = '';
      req.on('data', chunk => {
        requestBody += chunk;
      });
      req.on('end', () => {
        const echo = `authorization=${
          req.headers.authorization ?? ''
        } body=${requestBody}`;
        echoed.push(echo);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body(echo));
      });
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    return {
      url: `http://127.0.0.1:${port}`,
      echoed,
      close: () =>
        new Promise<void>(r => {
          server.closeAllConnections();
          server.close(() => r());
        }),
    };
  }

  it('Argo CD, Azure and Prometheus cut credentials an upstream echoes back', async () => {
    const argo = await echoServer(401, echo =>
      JSON.stringify({ error: echo, code: 16, message: `denied: ${echo}` }),
    );
    const prom = await echoServer(500, echo =>
      JSON.stringify({ status: 'error', errorType: 'server', error: echo }),
    );
    const azureEchoed: string[] = [];
    try {
      const run = await session(
        logger => [
          new ArgoCdApiSource({
            instances: [
              argoInstance({ url: argo.url, token: SECRETS.argocdToken }),
              argoInstance({
                name: 'login',
                url: argo.url,
                username: 'admin',
                password: SECRETS.argocdPassword,
              }),
            ],
            clusters: directory(),
            logger,
            requestTimeoutMs: 1000,
            retry: { attempts: 1 },
          }),
          ...[
            { accessToken: SECRETS.azureToken },
            {
              clientId: 'backstage-gitops',
              clientSecret: SECRETS.azureClientSecret,
            },
          ].map(
            (auth, i) =>
              new AzureResourceGraphSource({
                azure: {
                  subscriptions: [`0000000${i}-0000-0000-0000-000000000000`],
                  endpoint: fleet.azure.endpoint,
                  tenantId: fleet.azure.tenantId,
                  ...auth,
                },
                // The service principal's credential, as if Entra ID had issued it a token.
                credential: auth.clientSecret
                  ? {
                      getToken: async () => ({
                        token: SECRETS.azureIssued,
                        expiresOnTimestamp: Date.now() + 3600_000,
                      }),
                    }
                  : undefined,
                clusters: directory(),
                logger,
                requestTimeoutMs: 1000,
                retry: { attempts: 1 },
                // In place of the network, after the pipeline signed the request.
                clientOptions: {
                  httpClient: {
                    sendRequest: async request => {
                      const echo = `authorization=${request.headers.get(
                        'authorization',
                      )}`;
                      azureEchoed.push(echo);
                      return {
                        request,
                        status: 401,
                        headers: request.headers,
                        bodyAsText: JSON.stringify({
                          error: {
                            code: 'InvalidAuthenticationToken',
                            message: `The access token is invalid: ${echo}`,
                          },
                        }),
                      };
                    },
                  },
                },
              }),
          ),
          prometheus(prom.url, logger),
        ],
        5000,
      );

      expect(leaks(run)).toEqual([]);
      // The servers did receive (and echo) the secrets, and the echoes reached the reports, cut.
      expect(argo.echoed.join()).toContain(SECRETS.argocdToken);
      expect(argo.echoed.join()).toContain(SECRETS.argocdPassword);
      expect(azureEchoed.join()).toContain(SECRETS.azureToken);
      expect(azureEchoed.join()).toContain(SECRETS.azureIssued);
      expect(prom.echoed.join()).toContain(SECRETS.prometheus);
      const messages = Object.fromEntries(
        errorReports(run).map(r => [r.target, r.message]),
      );
      expect(messages).toEqual({
        main: expect.stringContaining('authorization=Bearer ***'),
        login: expect.stringContaining('"password":"***"'),
        '00000000-0000-0000-0000-000000000000': expect.stringContaining(
          'authorization=Bearer ***',
        ),
        '00000001-0000-0000-0000-000000000000': expect.stringContaining(
          'authorization=Bearer ***',
        ),
        default: expect.stringContaining('authorization=<redacted>'),
      });
    } finally {
      await argo.close();
      await prom.close();
    }
  });

  it('Kubernetes cuts a service account token an API server echoes back', async () => {
    const api = await echoServer(401, echo =>
      JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        message: `Unauthorized: ${echo}`,
        reason: 'Unauthorized',
        code: 401,
      }),
    );
    try {
      const run = await session(
        logger => [
          new KubernetesSource({
            clusters: directory(() => api.url, SECRETS.kubernetes),
            logger,
            requestTimeoutMs: 1000,
            concurrency: 4,
          }),
        ],
        1500,
      );
      expect(api.echoed.join()).toContain(SECRETS.kubernetes);
      expect(errorReports(run).length).toBeGreaterThan(0);
      expect(leaks(run)).toEqual([]);
    } finally {
      await api.close();
    }
  });

  it('finds a leak when there is one (the search itself works)', () => {
    expect(
      leaks({
        lines: [`warn token ${SECRETS.kubernetes} rejected`],
        reports: [
          {
            id: 'x',
            target: 'x',
            status: 'error',
            message: `bad ${SECRETS.azureClientSecret}`,
          },
        ],
      }),
    ).toEqual([
      expect.stringMatching(/^azureClientSecret in report x: /),
      expect.stringMatching(/^kubernetes in log: warn token /),
    ]);
  });
});
