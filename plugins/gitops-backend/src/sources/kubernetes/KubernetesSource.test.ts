import { mockServices } from '@backstage/backend-test-utils';
import { startDemoFleet, type DemoFleet } from '@gitops-status/demo-fleet';
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
});
