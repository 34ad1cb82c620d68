/*
 * The Argo CD API source against the demo fleet's Argo CD API server (real HTTPS with the fleet's
 * CA). Expected values come from the fleet's scenario, not from our normalizer.
 */
import { mockServices } from '@backstage/backend-test-utils';
import { startDemoFleet, type DemoFleet } from '@gitops-status/demo-fleet';
import type { SourceTargetResult } from '@gitops-status/plugin-gitops-node';
import { ClusterDirectory, type ClusterConfig } from '../../config/clusters';
import { isValidRecord } from '../../normalize/validate';
import { ArgoCdApiSource, LIST_FIELDS } from './ArgoCdApiSource';
import type { ArgoCdInstanceConfig } from './config';
import { createHttpsFetch, type FetchLike } from './http';

jest.setTimeout(30_000);

describe('ArgoCdApiSource against the demo fleet', () => {
  let fleet: DemoFleet;
  let clusters: ClusterDirectory;

  beforeAll(async () => {
    fleet = await startDemoFleet({ clock: 'manual' });
    clusters = new ClusterDirectory(
      fleet.clusters.map(
        (c): ClusterConfig => ({
          name: c.name,
          url: c.server,
          authProvider: 'serviceAccount',
          skipTLSVerify: false,
          // How Argo CD names the other clusters (server URL); `in-cluster` is the home cluster.
          aliases: [c.serverAlias],
          collect: true,
        }),
      ),
    );
  });
  afterAll(() => fleet.stop());
  afterEach(() => {
    fleet.setFault('argocd/main', undefined);
    fleet.resetRequestCount();
  });

  const instance = (
    over: Partial<ArgoCdInstanceConfig> = {},
  ): ArgoCdInstanceConfig => ({
    name: 'main',
    url: fleet.argocd.url,
    token: fleet.token,
    caData: Buffer.from(fleet.caPem).toString('base64'),
    skipTLSVerify: false,
    namespaces: [],
    projects: [],
    cluster: fleet.argocd.cluster,
    ...over,
  });

  const newSource = (
    instances: ArgoCdInstanceConfig[] = [instance()],
    extra: { fetch?: FetchLike; requestTimeoutMs?: number } = {},
  ) =>
    new ArgoCdApiSource({
      instances,
      clusters,
      logger: mockServices.logger.mock(),
      requestTimeoutMs: extra.requestTimeoutMs ?? 2000,
      retry: { attempts: 2, baseDelayMs: 10 },
      fetch: extra.fetch,
    });

  async function collect(source: ArgoCdApiSource) {
    const reports: SourceTargetResult[] = [];
    await source.collect({
      sink: { report: async r => void reports.push(r) },
      signal: new AbortController().signal,
    });
    return reports;
  }

  /** A fetch trusting the fleet CA that records what was asked. */
  function recordingFetch() {
    const urls: URL[] = [];
    const inner = createHttpsFetch({ ca: fleet.caPem });
    const fetch: FetchLike = (url, init) => {
      urls.push(new URL(url));
      return inner(url, init);
    };
    return { urls, fetch };
  }

  const expectedApps = () =>
    fleet.scenario.objects
      .filter(o => o.kind === 'Application')
      .sort((a, b) => a.name.localeCompare(b.name));

  function expectScenarioRecords(report: SourceTargetResult) {
    expect(report).toMatchObject({
      id: 'argocd-api:main',
      target: 'main',
      status: 'ok',
    });
    const records = [...report.records!].sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    expect(
      records.map(r => ({
        name: r.name,
        namespace: r.namespace,
        cluster: r.cluster,
        sync: r.sync,
        health: r.health,
      })),
    ).toEqual(
      expectedApps().map(o => ({
        name: o.name,
        namespace: o.namespace,
        cluster: o.targetCluster,
        sync: o.sync,
        health: o.health,
      })),
    );
    for (const r of records) {
      expect(isValidRecord(r)).toEqual([]);
      expect(r).toMatchObject({
        tool: 'argocd',
        kind: 'Application',
        instance: 'main',
        sources: ['argocd-api'],
      });
      expect(r.links).toContainEqual({
        type: 'argocd',
        title: 'Argo CD',
        url: `${fleet.argocd.url}/applications/argocd/${r.name}`,
      });
    }
  }

  it('reports every Application of the scenario with one projected request', async () => {
    const { urls, fetch } = recordingFetch();
    const reports = await collect(newSource([instance()], { fetch }));
    expect(reports).toHaveLength(1);
    expectScenarioRecords(reports[0]);
    expect(fleet.requestCount({ endpoint: 'argocd' })).toBe(1);
    expect(urls).toHaveLength(1);
    expect(urls[0].pathname).toBe('/argocd/main/api/v1/applications');
    expect(urls[0].searchParams.get('fields')).toBe(LIST_FIELDS);

    // Revisions: a synced app runs the example-org/apps commit the scenario names.
    const guestbook = reports[0].records!.find(
      r => r.name === 'guestbook-staging',
    )!;
    const expected = expectedApps().find(o => o.name === 'guestbook-staging')!;
    expect(guestbook.revision.applied).toBe(expected.revision);
    expect(guestbook.project).toBe('default');
  });

  it('follows the scenario while a sync runs (OutOfSync, Progressing, operation Running)', async () => {
    fleet.advance(50_000); // commit 1 reached dev 5 s ago: its apps are syncing
    try {
      const running = expectedApps().filter(
        o => o.operationPhase === 'Running',
      );
      expect(running.length).toBeGreaterThan(0);
      const [report] = await collect(newSource());
      expectScenarioRecords(report);
      for (const o of running) {
        const r = report.records!.find(x => x.name === o.name)!;
        expect(r.operation?.phase).toBe('Running');
        expect(r.state).toBe('progressing');
      }
    } finally {
      fleet.advance(40_000); // settle again for the other tests
    }
  });

  it('gives the normalizer everything it needs: projected and full lists make the same records', async () => {
    const full: FetchLike = (url, init) => {
      const u = new URL(url);
      u.searchParams.delete('fields');
      return createHttpsFetch({ ca: fleet.caPem })(u.toString(), init);
    };
    const now = () => new Date('2025-01-01T00:05:00Z');
    const withNow = (fetch?: FetchLike) =>
      new ArgoCdApiSource({
        instances: [instance()],
        clusters,
        logger: mockServices.logger.mock(),
        requestTimeoutMs: 2000,
        fetch,
        now,
      });
    const [projected] = await collect(withNow());
    const [complete] = await collect(withNow(full));
    expect(projected.records!.length).toBeGreaterThan(0);
    expect(projected.records).toEqual(complete.records);
  });

  it('treats items: null as no Applications', async () => {
    const { urls, fetch } = recordingFetch();
    const reports = await collect(
      newSource([instance({ projects: ['no-such-project'] })], { fetch }),
    );
    expect(reports).toEqual([
      expect.objectContaining({
        id: 'argocd-api:main',
        status: 'ok',
        records: [],
      }),
    ]);
    expect(urls[0].searchParams.getAll('projects')).toEqual([
      'no-such-project',
    ]);
  });

  it('filters by project and asks each configured namespace once', async () => {
    const { urls, fetch } = recordingFetch();
    const [report] = await collect(
      newSource(
        [instance({ projects: ['shop'], namespaces: ['argocd', 'team-a'] })],
        { fetch },
      ),
    );
    expect(urls.map(u => u.searchParams.get('appNamespace'))).toEqual([
      'argocd',
      'team-a',
    ]);
    expect(report.records!.map(r => r.name).sort()).toEqual(
      expectedApps()
        .filter(o => o.name.startsWith('checkout-'))
        .map(o => o.name),
    );
    expect(new Set(report.records!.map(r => r.project))).toEqual(
      new Set(['shop']),
    );
  });

  it('finds the home cluster from the cluster that names the instance', async () => {
    const dirWithInstance = new ClusterDirectory(
      clusters.clusters.map(c =>
        c.name === fleet.argocd.cluster ? { ...c, argocdInstance: 'main' } : c,
      ),
    );
    const source = new ArgoCdApiSource({
      instances: [instance({ cluster: undefined })],
      clusters: dirWithInstance,
      logger: mockServices.logger.mock(),
      requestTimeoutMs: 2000,
    });
    const [report] = await collect(source);
    const dev = report.records!.find(r => r.name === 'guestbook-dev')!;
    expect(dev.cluster).toBe('dev');

    // Without any home cluster the in-cluster destination stays unknown rather than guessed.
    const [unplaced] = await collect(
      newSource([instance({ cluster: undefined })]),
    );
    expect(
      unplaced.records!.find(r => r.name === 'guestbook-dev')!.cluster,
    ).toBe('unknown:https://kubernetes.default.svc');
  });

  it.each([
    ['unauthorized', '401 Unauthorized', 1],
    ['error', '500 Internal Server Error', 2],
    ['garbage', 'invalid JSON response', 1],
    ['down', 'socket hang up', 2],
    [{ type: 'slow', delayMs: 5000 }, 'timed out after 300 ms', 2],
  ] as const)(
    'reports %j as the instance error without records (%s)',
    async (fault, message, requests) => {
      fleet.setFault('argocd/main', fault);
      const reports = await collect(
        newSource([instance()], { requestTimeoutMs: 300 }),
      );
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatchObject({
        id: 'argocd-api:main',
        target: 'main',
        status: 'error',
      });
      expect(reports[0].records).toBeUndefined();
      expect(reports[0].message).toContain(
        `argocd main: GET /api/v1/applications: ${message}`,
      );
      expect(reports[0].message).not.toContain(fleet.token);
      // 401 and garbage are not retried; the rest is, once (attempts: 2).
      expect(fleet.requestCount({ endpoint: 'argocd' })).toBe(requests);
    },
  );

  it('reports each instance on its own: one down never hides another', async () => {
    const reports = await collect(
      newSource([
        instance(),
        instance({ name: 'broken', url: 'https://127.0.0.1:1' }),
      ]),
    );
    const byId = Object.fromEntries(reports.map(r => [r.id, r]));
    expect(byId['argocd-api:main']).toMatchObject({ status: 'ok' });
    expect(byId['argocd-api:main'].records!.length).toBe(expectedApps().length);
    expect(byId['argocd-api:broken']).toMatchObject({
      status: 'error',
      target: 'broken',
    });
    expect(byId['argocd-api:broken'].message).toMatch(
      /^argocd broken: GET \/api\/v1\/applications: .*ECONNREFUSED/,
    );
    expect(byId['argocd-api:broken'].records).toBeUndefined();
  });

  it('refuses a server its CA does not vouch for', async () => {
    const [report] = await collect(
      newSource([instance({ caData: undefined })]),
    );
    expect(report.status).toBe('error');
    expect(report.message).toMatch(/certificate/i);
    // skipTLSVerify accepts it (for lab setups only).
    const [skipped] = await collect(
      newSource([instance({ caData: undefined, skipTLSVerify: true })]),
    );
    expect(skipped.status).toBe('ok');
  });

  it('returns promptly without reporting when the session ends mid-request', async () => {
    fleet.setFault('argocd/main', { type: 'slow', delayMs: 5000 });
    const controller = new AbortController();
    const reports: SourceTargetResult[] = [];
    const started = Date.now();
    const done = newSource([instance()], { requestTimeoutMs: 10_000 }).collect({
      sink: { report: async r => void reports.push(r) },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    await done;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(reports).toEqual([]);
  });
});
