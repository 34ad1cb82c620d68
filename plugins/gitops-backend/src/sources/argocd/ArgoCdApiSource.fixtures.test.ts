/*
 * The source's parsing path with real Argo CD API bodies (test/fixtures/argocd): a stub fetch
 * answers with the fixtures, as a server that projects generically (the demo fleet), as a real
 * Argo CD (fixed list of projectable fields) or without projection.
 */
import { mockServices } from '@backstage/backend-test-utils';
import type { SourceTargetResult } from '@gitops-status/plugin-gitops-node';
import { ClusterDirectory } from '../../config/clusters';
import { normalizeObject, type NormalizeContext } from '../../normalize';
import {
  jsonFixture,
  listFixtures,
  yamlDocs,
} from '../../normalize/__testUtils__/fixtures';
import { isValidRecord } from '../../normalize/validate';
import { ArgoCdApiSource, LIST_FIELDS } from './ArgoCdApiSource';
import type { ArgoCdInstanceConfig } from './config';
import type { FetchLike } from './http';
import { projectGeneric, projectLikeArgoCd } from './__testUtils__/argoServer';

const NOW = new Date('2025-03-01T12:00:00Z');
const URL_BASE = 'https://argocd.example.com';

const clusters = new ClusterDirectory([
  {
    name: 'prod',
    authProvider: 'serviceAccount',
    skipTLSVerify: false,
    aliases: ['cluster1', 'https://prod.example.com'],
    collect: true,
  },
]);

const instance: ArgoCdInstanceConfig = {
  name: 'main',
  url: URL_BASE,
  token: 'fixture-token-123',
  skipTLSVerify: false,
  namespaces: [],
  projects: [],
  cluster: 'home',
};

/** The context the source is expected to use for this instance. */
const expectedContext: NormalizeContext = {
  cluster: 'home',
  source: 'argocd-api',
  observedAt: NOW.toISOString(),
  resolveDestination: d => clusters.resolveDestination(d, 'home'),
  argocdInstance: 'main',
  argocdUrl: URL_BASE,
};

type Projection = 'generic' | 'argocd' | 'ignored';

/** A stub Argo CD answering every list call with `body`, projected the way `mode` says. */
function stubServer(body: unknown, mode: Projection = 'generic') {
  const calls: URL[] = [];
  const fetch: FetchLike = async (url, init) => {
    const u = new URL(url);
    calls.push(u);
    expect(init.method).toBe('GET');
    expect(new Headers(init.headers).get('authorization')).toBe(
      `Bearer ${instance.token}`,
    );
    const fields = u.searchParams.get('fields')?.split(',');
    let answer = body;
    if (fields && mode === 'generic') answer = projectGeneric(body, fields);
    if (fields && mode === 'argocd') answer = projectLikeArgoCd(body, fields);
    return new Response(JSON.stringify(answer), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { calls, fetch };
}

function newSource(fetch: FetchLike) {
  return new ArgoCdApiSource({
    instances: [instance],
    clusters,
    logger: mockServices.logger.mock(),
    requestTimeoutMs: 1000,
    retry: { attempts: 2, baseDelayMs: 5 },
    fetch,
    now: () => NOW,
  });
}

async function collect(source: ArgoCdApiSource) {
  const reports: SourceTargetResult[] = [];
  await source.collect({
    sink: { report: async r => void reports.push(r) },
    signal: new AbortController().signal,
  });
  return reports;
}

/**
 * As the REST API serves an Application: without apiVersion/kind, and with the
 * metadata.resourceVersion every stored object has (minimal test data may omit it).
 */
function asServed(app: any) {
  const { apiVersion: _a, kind: _k, ...rest } = app;
  return {
    ...rest,
    metadata: { resourceVersion: '1', ...rest.metadata },
  };
}

/** Every Application in the fixtures, as the API would list it. */
function fixtureApps(): Array<[string, any]> {
  const out: Array<[string, any]> = [];
  for (const dir of [
    'roadie-backstage-plugins',
    'backstage-community-plugins',
  ]) {
    for (const file of listFixtures(`argocd/${dir}`, /\.json$/)) {
      const body = jsonFixture(`argocd/${dir}/${file}`);
      const items: any[] = 'items' in body ? body.items ?? [] : [body];
      items.forEach((app, i) =>
        out.push([`${dir}/${file}#${i}`, asServed(app)]),
      );
    }
  }
  for (const file of listFixtures('argocd/argo-cd-testdata', /\.yaml$/)) {
    yamlDocs(`argocd/argo-cd-testdata/${file}`).forEach((app, i) =>
      out.push([`argo-cd-testdata/${file}#${i}`, asServed(app)]),
    );
  }
  return out;
}

const expectedRecords = (apps: unknown[]) =>
  apps.map(app => {
    const result = normalizeObject(app, expectedContext);
    if (!result.ok) throw new Error(result.error);
    return result.record;
  });

describe('ArgoCdApiSource with Argo CD API fixtures', () => {
  it('reads the Roadie list envelope, one Application', async () => {
    const body = jsonFixture(
      'argocd/roadie-backstage-plugins/list-applications_ApplicationList_one-item.json',
    );
    const { fetch } = stubServer(body, 'ignored');
    const [report] = await collect(newSource(fetch));
    expect(report).toMatchObject({ id: 'argocd-api:main', status: 'ok' });
    expect(report.records).toEqual(expectedRecords(body.items));
    expect(report.records![0]).toMatchObject({
      name: 'guestbook',
      namespace: 'argocd',
      cluster: 'home', // destination https://kubernetes.default.svc: the instance's cluster
      instance: 'main',
      sources: ['argocd-api'],
    });
  });

  it('reads items: null as an empty list', async () => {
    const body = jsonFixture(
      'argocd/roadie-backstage-plugins/list-applications_ApplicationList_empty-items-null.json',
    );
    expect(body.items).toBeNull();
    for (const mode of ['generic', 'argocd', 'ignored'] as const) {
      const { calls, fetch } = stubServer(body, mode);
      const reports = await collect(newSource(fetch));
      expect(reports).toEqual([
        { id: 'argocd-api:main', target: 'main', status: 'ok', records: [] },
      ]);
      expect(calls).toHaveLength(1);
    }
  });

  it.each(fixtureApps())(
    '%s: the projected list gives the same record as the full object',
    async (_label, app) => {
      const body = { metadata: { resourceVersion: '42' }, items: [app] };
      const projected = stubServer(body, 'generic');
      const [report] = await collect(newSource(projected.fetch));
      expect(projected.calls).toHaveLength(1);
      expect(projected.calls[0].searchParams.get('fields')).toBe(LIST_FIELDS);
      expect(report.status).toBe('ok');
      expect(report.records).toEqual(expectedRecords([app]));
      expect(isValidRecord(report.records![0])).toEqual([]);
    },
  );

  it('a real Argo CD keeps only a fixed set of fields: the source notices and reads full objects', async () => {
    // Unique names, as on a real server (the metrics testdata reuses one name).
    const apps = fixtureApps().map(([, app], i) => ({
      ...app,
      metadata: { ...app.metadata, name: `${app.metadata.name}-${i}` },
    }));
    const body = { metadata: { resourceVersion: '42' }, items: apps };
    const { calls, fetch } = stubServer(body, 'argocd');
    const source = newSource(fetch);

    const [first] = await collect(source);
    // Projected, found wanting (no metadata.resourceVersion, no status.sync.revision…), re-read.
    expect(calls.map(c => c.searchParams.has('fields'))).toEqual([true, false]);
    expect(first.records).toEqual(expectedRecords(apps));

    calls.length = 0;
    const [second] = await collect(source);
    expect(calls.map(c => c.searchParams.has('fields'))).toEqual([false]);
    expect(second.records).toEqual(first.records);
  });

  it.each([
    ['an empty object', {}],
    ['items that are not a list', { items: { a: 1 } }],
    ['a bare array', []],
    ['a string', 'hello'],
  ])('reports %s as an error', async (_label, body) => {
    const { fetch } = stubServer(body, 'ignored');
    const [report] = await collect(newSource(fetch));
    expect(report).toEqual({
      id: 'argocd-api:main',
      target: 'main',
      status: 'error',
      message:
        'argocd main: GET /api/v1/applications: response is not an application list',
    });
  });

  it('keeps the readable Applications and says how many were not', async () => {
    const [[, app]] = fixtureApps();
    const body = { items: [app, { metadata: {} }, 42] };
    const { fetch } = stubServer(body, 'ignored');
    const [report] = await collect(newSource(fetch));
    expect(report.status).toBe('ok');
    expect(report.records).toEqual(expectedRecords([app]));
    expect(report.message).toMatch(
      /^2 of 3 applications could not be read, e\.g\. /,
    );
  });

  it('honours Retry-After on 429', async () => {
    let calls = 0;
    const fetch: FetchLike = async () => {
      calls++;
      return calls === 1
        ? new Response('{"error":"slow down","code":8}', {
            status: 429,
            headers: { 'retry-after': '1' },
          })
        : new Response('{"items":null}', { status: 200 });
    };
    const started = Date.now();
    const [report] = await collect(newSource(fetch));
    expect(report).toMatchObject({ status: 'ok', records: [] });
    expect(calls).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('does not follow redirects (an SSO proxy in front of the API)', async () => {
    const fetch: FetchLike = async () =>
      new Response(null, {
        status: 302,
        headers: { location: 'https://sso.example.com/login' },
      });
    const [report] = await collect(newSource(fetch));
    expect(report.status).toBe('error');
    expect(report.message).toBe(
      'argocd main: GET /api/v1/applications: 302 Found (redirects are not followed: is url the Argo CD API server?)',
    );
  });

  it('never puts the token in a message, even when the server echoes it', async () => {
    const fetch: FetchLike = async () =>
      new Response(
        JSON.stringify({
          error: `token ${instance.token} is not valid`,
          code: 16,
        }),
        { status: 403 },
      );
    const [report] = await collect(newSource(fetch));
    expect(report.message).toBe(
      'argocd main: GET /api/v1/applications: 403 Forbidden: token *** is not valid',
    );
  });
});
