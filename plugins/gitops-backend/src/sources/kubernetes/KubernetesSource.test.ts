import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mockServices } from '@backstage/backend-test-utils';
import { startDemoFleet, type DemoFleet } from '@gitops-status/demo-fleet';
import type { GitOpsRecord } from '@gitops-status/plugin-gitops-common';
import type { SourceTargetResult } from '@gitops-status/plugin-gitops-node';
import { ClusterDirectory, type ClusterConfig } from '../../config/clusters';
import { KubernetesSource } from './KubernetesSource';

jest.setTimeout(30_000);

/** Polls until `check` passes or the time is up (watch events arrive asynchronously). */
async function eventually(check: () => void, ms = 8000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      check();
      return;
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise(r => setTimeout(r, 50));
    }
  }
}

describe('KubernetesSource against the demo fleet', () => {
  let fleet: DemoFleet;
  let cluster: ClusterConfig;
  let source: KubernetesSource;

  beforeEach(async () => {
    fleet = await startDemoFleet({ clock: 'manual' });
    const dev = fleet.clusters.find(c => c.name === 'dev')!;
    cluster = {
      name: 'dev',
      url: dev.server,
      authProvider: 'serviceAccount',
      serviceAccountToken: fleet.token,
      caData: Buffer.from(fleet.caPem).toString('base64'),
      skipTLSVerify: false,
      aliases: [],
      collect: true,
    };
    source = new KubernetesSource({
      clusters: new ClusterDirectory([cluster]),
      logger: mockServices.logger.mock(),
      requestTimeoutMs: 1000,
      concurrency: 2,
      reportDebounceMs: 20,
    });
  });

  afterEach(() => fleet.stop());

  /** Runs one cluster session in the background, recording every report. */
  function session() {
    const reports: SourceTargetResult[] = [];
    const controller = new AbortController();
    const done = source.collectCluster(
      cluster,
      { report: async r => void reports.push(r) },
      controller.signal,
    );
    const last = () => reports[reports.length - 1];
    const podinfo = () =>
      last()?.records?.find(
        r => r.kind === 'Kustomization' && r.name === 'podinfo',
      );
    const stop = () => {
      controller.abort();
      return done;
    };
    return { reports, last, podinfo, stop };
  }

  const expectedPodinfo = () =>
    fleet.scenario.objects.find(
      o =>
        o.cluster === 'dev' &&
        o.kind === 'Kustomization' &&
        o.name === 'podinfo',
    )!;

  it('lists every kind, skips CRDs the cluster lacks, then follows changes through the watch', async () => {
    const s = session();
    await eventually(() => expect(s.reports.length).toBeGreaterThan(0));
    expect(s.last()).toMatchObject({
      id: 'kubernetes:dev',
      status: 'ok',
      skippedKinds: ['FluxConfig'],
    });
    const listed = fleet.scenario.objects.filter(o => o.cluster === 'dev');
    expect(s.last().records).toHaveLength(listed.length);
    const before = s.podinfo()!.revision.applied;
    expect(before).toBe(expectedPodinfo().appliedRevision);

    fleet.resetRequestCount();
    fleet.advance(60_000); // the next commit reaches dev and is applied
    expect(expectedPodinfo().appliedRevision).not.toBe(before);
    await eventually(() =>
      expect(s.podinfo()!.revision.applied).toBe(
        expectedPodinfo().appliedRevision,
      ),
    );
    // Changes came over the open watches: no new list requests.
    expect(
      fleet.requestCount({
        cluster: 'dev',
        endpoint: 'kubernetes',
        watch: false,
      }),
    ).toBe(0);
    await s.stop();
  });

  it('re-lists after 410 Gone and after a watch closed mid-stream, missing nothing', async () => {
    const s = session();
    await eventually(() => expect(s.podinfo()).toBeDefined());
    fleet.setFault('dev', 'expire');
    fleet.advance(60_000);
    await eventually(() =>
      expect(s.podinfo()!.revision.applied).toBe(
        expectedPodinfo().appliedRevision,
      ),
    );

    fleet.setFault('dev', 'watch-close');
    fleet.advance(90_000);
    await eventually(() =>
      expect(s.podinfo()!.revision.applied).toBe(
        expectedPodinfo().appliedRevision,
      ),
    );
    expect(
      s.reports.filter(r => r.status !== 'ok').map(r => r.message),
    ).toEqual([]);
    await s.stop();
  });

  it.each([
    ['unauthorized', '401'],
    ['error', '500'],
    ['garbage', 'cluster dev: list'],
    ['down', 'cluster dev: list'],
    ['slow', 'timed out'],
  ] as const)(
    'reports %s as the cluster error without records',
    async (fault, message) => {
      fleet.setFault('dev', fault);
      const s = session();
      await eventually(() => expect(s.reports.length).toBeGreaterThan(0));
      expect(s.last().status).toBe('error');
      expect(s.last().records).toBeUndefined();
      expect(s.last().message).toContain(message);
      expect(s.last().message).not.toContain(fleet.token);
      await s.stop();
    },
  );

  it('reports a cluster that has not answered when the session ends (timeout longer than the session)', async () => {
    // 30 s answers, 1 s request timeout would report; end the session after 300 ms instead.
    fleet.setFault('dev', { type: 'slow', delayMs: 30_000 });
    const s = session();
    await new Promise(r => setTimeout(r, 300));
    expect(s.reports).toEqual([]);
    await s.stop();
    expect(s.last()).toMatchObject({
      status: 'error',
      message: expect.stringContaining(
        'cluster dev: no complete list before the collection session ended',
      ),
    });
  });
});

/**
 * A scripted API server serving only Kustomizations (every other kind 404), whose objects and
 * watch events the test sets, counting requests and TCP connections.
 */
async function scriptedCluster() {
  const KS = '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations';
  let rv = 100;
  const objects = new Map<string, any>();
  const watches = new Set<ServerResponse>();
  const counts = { requests: 0, connections: 0, lists: 0, watches: 0 };
  const server: Server = createServer((req, res) => {
    counts.requests++;
    const url = new URL(req.url!, 'http://x');
    if (url.pathname !== KS) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', code: 404, message: 'nope' }));
      return;
    }
    if (url.searchParams.get('watch') === 'true') {
      counts.watches++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      watches.add(res);
      res.on('close', () => watches.delete(res));
      return;
    }
    counts.lists++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'KustomizationList',
        metadata: { resourceVersion: String(rv) },
        items: [...objects.values()],
      }),
    );
  });
  // Idle connections stay open until the client closes them (a real API server keeps them longer
  // than Node's default 5 s).
  server.keepAliveTimeout = 60_000;
  let open = 0;
  server.on('connection', socket => {
    counts.connections++;
    open++;
    socket.on('close', () => open--);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** A Kustomization that applied `sha`, at a new resourceVersion. */
  const put = (name: string, sha: string, uid = `uid-${name}`) => {
    rv++;
    const object = {
      metadata: {
        name,
        namespace: 'flux-system',
        uid,
        resourceVersion: String(rv),
        generation: 1,
      },
      spec: {
        interval: '5m',
        path: './apps',
        sourceRef: { kind: 'GitRepository', name: 'fleet' },
      },
      status: {
        observedGeneration: 1,
        lastAppliedRevision: `main@sha1:${sha}`,
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'ReconciliationSucceeded',
            message: `Applied revision: main@sha1:${sha}`,
            lastTransitionTime: '2026-11-23T10:00:00Z',
          },
        ],
      },
    };
    objects.set(name, object);
    return object;
  };
  const remove = (name: string) => {
    rv++;
    const object = objects.get(name);
    objects.delete(name);
    return {
      ...object,
      metadata: { ...object.metadata, resourceVersion: String(rv) },
    };
  };
  /** Sends one event to every open watch. */
  const emit = (type: string, object: unknown) => {
    for (const res of watches)
      res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const cluster: ClusterConfig = {
    name: 'scripted',
    url,
    authProvider: 'serviceAccount',
    serviceAccountToken: 'scripted-token',
    // Plain http, as client-node allows it: only with skipTLSVerify.
    skipTLSVerify: true,
    aliases: [],
    collect: true,
  };
  return {
    cluster,
    counts,
    put,
    remove,
    emit,
    openWatches: () => watches.size,
    openConnections: () => open,
    stop: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('KubernetesSource against a scripted API server', () => {
  let api: Awaited<ReturnType<typeof scriptedCluster>>;
  let source: KubernetesSource;
  const SHA = (c: string) => c.repeat(40);

  beforeEach(async () => {
    api = await scriptedCluster();
    source = new KubernetesSource({
      clusters: new ClusterDirectory([api.cluster]),
      logger: mockServices.logger.mock(),
      requestTimeoutMs: 1000,
      concurrency: 1,
      reportDebounceMs: 10,
    });
  });

  afterEach(() => api.stop());

  function session() {
    const reports: SourceTargetResult[] = [];
    const controller = new AbortController();
    const done = source.collectCluster(
      api.cluster,
      { report: async r => void reports.push(r) },
      controller.signal,
    );
    const byName = () =>
      new Map<string, GitOpsRecord>(
        (reports[reports.length - 1]?.records ?? []).map(r => [r.name, r]),
      );
    return {
      reports,
      byName,
      stop: () => {
        controller.abort();
        return done;
      },
    };
  }

  it('reuses the record of an object whose resourceVersion did not change, across sessions', async () => {
    api.put('a', SHA('a'));
    api.put('b', SHA('b'));
    api.put('c', SHA('c'));
    const first = session();
    await eventually(() => expect(first.reports.length).toBe(1));
    await eventually(() => expect(api.openWatches()).toBe(1));
    await first.stop();
    await eventually(() => expect(api.openWatches()).toBe(0));
    const before = first.byName();
    expect([...before.keys()].sort()).toEqual(['a', 'b', 'c']);

    // Between sessions: b changes, c is deleted, d appears, e is deleted and recreated.
    api.put('b', SHA('1'));
    api.remove('c');
    api.put('d', SHA('d'));
    api.put('e', SHA('e'), 'uid-e-1');
    const second = session();
    await eventually(() => expect(second.reports.length).toBe(1));
    await second.stop();
    const after = second.byName();
    expect([...after.keys()].sort()).toEqual(['a', 'b', 'd', 'e']);
    // Unchanged: the very same record object, not normalized again.
    expect(after.get('a')).toBe(before.get('a'));
    expect(after.get('b')).not.toBe(before.get('b'));
    expect(after.get('b')!.revision.applied).toContain(SHA('1'));
    expect(after.get('d')!.revision.applied).toContain(SHA('d'));
    // Records are frozen: whoever receives them cannot change what is kept.
    expect(Object.isFrozen(after.get('a'))).toBe(true);
    expect(Object.isFrozen(after.get('a')!.revision)).toBe(true);
    expect(second.reports.every(r => r.status === 'ok')).toBe(true);
  });

  it('applies watch events: MODIFIED replaces, ADDED adds, DELETED removes', async () => {
    api.put('a', SHA('a'));
    api.put('b', SHA('b'));
    const s = session();
    await eventually(() => expect(api.openWatches()).toBe(1));
    const a = s.byName().get('a');

    api.emit('MODIFIED', api.put('b', SHA('2')));
    api.emit('ADDED', api.put('c', SHA('c')));
    api.emit('DELETED', api.remove('a'));
    await eventually(() => {
      const now = s.byName();
      expect([...now.keys()].sort()).toEqual(['b', 'c']);
      expect(now.get('b')!.revision.applied).toContain(SHA('2'));
    });
    expect(a!.revision.applied).toContain(SHA('a'));
    // Changes came over the watch: one list at the start of the session.
    expect(api.counts.lists).toBe(1);
    await s.stop();
    await eventually(() => expect(api.openWatches()).toBe(0));
  });

  it('keeps connections alive across the requests of a session and closes them when it ends', async () => {
    api.put('a', SHA('a'));
    const { openWatches, openConnections } = api;
    for (const _ of [1, 2]) {
      const s = session();
      await eventually(() => expect(openWatches()).toBe(1));
      await s.stop();
      await eventually(() => expect(openWatches()).toBe(0));
      // No idle keep-alive connection outlives the session (each would hold on to a response).
      await eventually(() => expect(openConnections()).toBe(0));
    }
    // 2 × (21 LIST tries over 9 kinds and their versions + 1 WATCH); a new connection per request
    // would make as many connections as requests.
    expect(api.counts.requests).toBe(44);
    expect(api.counts.connections).toBeLessThan(api.counts.requests / 2);
  });
});
