import https from 'node:https';
import { ConfigReader } from '@backstage/config';
import { startDemoFleet, type DemoFleet } from '@gitops-status/demo-fleet';
import {
  deriveState,
  gitopsRecordId,
  type GitOpsRecord,
} from '@gitops-status/plugin-gitops-common';
import { ClusterDirectory, readClusters } from '../config/clusters';
import { fleetClustersConfig } from '../__testUtils__/fleetConfig';
import { actionPatch, GitOpsActions } from './GitOpsActions';

function record(over: Partial<GitOpsRecord>): GitOpsRecord {
  const base: GitOpsRecord = {
    tool: 'flux',
    cluster: 'dev',
    namespace: 'podinfo',
    kind: 'Kustomization',
    name: 'podinfo',
    sync: 'Synced',
    health: 'Healthy',
    compliance: 'Compliant',
    state: 'ok',
    suspended: false,
    revision: {},
    conditions: [],
    dependsOn: [],
    labels: {},
    sources: ['kubernetes'],
    observedAt: '2026-11-23T10:00:00.000Z',
    links: [],
    ...over,
  };
  return { ...base, state: deriveState(base) };
}

describe('GitOpsActions without an Argo CD API server', () => {
  let fleet: DemoFleet;
  let actions: GitOpsActions;

  beforeAll(async () => {
    fleet = await startDemoFleet({ clock: 'manual' });
    const clusters = new ClusterDirectory(
      readClusters(
        new ConfigReader({ gitops: { clusters: fleetClustersConfig(fleet) } }),
      ),
    );
    actions = new GitOpsActions({ clusters, requestTimeoutMs: 2000 });
  });
  afterAll(() => fleet?.stop());

  it('refreshes an Application with the annotation, on the cluster its Argo CD runs on', async () => {
    const app = fleet.scenario.objects.find(o => o.kind === 'Application')!;
    const r = record({
      tool: 'argocd',
      kind: 'Application',
      cluster: app.targetCluster!,
      namespace: app.namespace,
      name: app.name,
      instance: 'main',
    });
    const before = fleet.requestCount({ method: 'PATCH', cluster: 'dev' });
    expect(await actions.perform(r, 'reconcile', '2026-11-23T10:00:00Z')).toBe(
      `requested a refresh of Application ${app.namespace}/${app.name} (destination ${app.targetCluster})`,
    );
    expect(fleet.requestCount({ method: 'PATCH', cluster: 'dev' })).toBe(
      before + 1,
    );
    const dev = fleet.clusters.find(c => c.name === 'dev')!;
    const object: any = await new Promise((resolve, reject) =>
      https
        .get(
          `${dev.server}/apis/argoproj.io/v1alpha1/namespaces/${app.namespace}/applications/${app.name}`,
          {
            ca: fleet.caPem,
            headers: { authorization: `Bearer ${fleet.token}` },
          },
          res => {
            let body = '';
            res.on('data', d => (body += d));
            res.on('end', () => resolve(JSON.parse(body)));
          },
        )
        .on('error', reject),
    );
    // Argo CD's documented refresh annotation.
    expect(object.metadata.annotations['argocd.argoproj.io/refresh']).toBe(
      'normal',
    );
  });

  it('answers a missing object with 404 and an unconfigured cluster with 503', async () => {
    await expect(
      actions.perform(record({ name: 'nope' }), 'reconcile', 'x'),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(
      actions.perform(record({ cluster: 'unknown' }), 'suspend', 'x'),
    ).rejects.toMatchObject({ name: 'ServiceUnavailableError' });
  });

  it('builds the patches Flux and Argo CD document', () => {
    const at = '2026-11-23T10:00:00.000Z';
    expect(actionPatch(record({}), 'reconcile', at).patch).toEqual({
      metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': at } },
    });
    expect(actionPatch(record({}), 'suspend', at).patch).toEqual({
      spec: { suspend: true },
    });
    expect(actionPatch(record({}), 'resume', at).patch).toEqual({
      spec: { suspend: false },
    });
    expect(() =>
      actionPatch(record({ kind: 'FluxConfig' }), 'reconcile', at),
    ).toThrow(/managed by Azure/);
    expect(gitopsRecordId(record({}))).toBe(
      'flux|dev|podinfo|Kustomization|podinfo',
    );
  });
});
