/*
 * The Azure Resource Graph source with the real @azure/arm-resourcegraph client against the demo
 * fleet's Resource Graph endpoint (HTTPS with the fleet CA). Expected values come from the
 * fleet's scenario and README timeline, not from our normalizer.
 */
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { mockServices } from '@backstage/backend-test-utils';
import {
  fleetSha,
  startDemoFleet,
  type DemoFleet,
} from '@gitops-status/demo-fleet';
import type { SourceTargetResult } from '@gitops-status/plugin-gitops-node';
import { ClusterDirectory, type ClusterConfig } from '../../config/clusters';
import { isValidRecord } from '../../normalize/validate';
import {
  AzureResourceGraphSource,
  type AzureResourceGraphSourceOptions,
} from './AzureResourceGraphSource';
import { throttle } from './__testUtils__/graphStub';

jest.setTimeout(30_000);

/** A static credential, the way a backend would wrap a configured token. */
function staticCredential(token: string): TokenCredential & { calls: number } {
  const credential = {
    calls: 0,
    getToken: async (): Promise<AccessToken> => {
      credential.calls++;
      return { token, expiresOnTimestamp: Date.now() + 3600_000 };
    },
  };
  return credential;
}

function directoryOf(fleet: DemoFleet, withAzureIds = true) {
  return new ClusterDirectory(
    fleet.clusters.map(
      (c): ClusterConfig => ({
        name: c.name,
        url: c.server,
        authProvider: 'serviceAccount',
        skipTLSVerify: false,
        aliases: [],
        azureResourceId: withAzureIds ? c.azureResourceId : undefined,
        collect: true,
      }),
    ),
  );
}

async function collect(source: AzureResourceGraphSource) {
  const reports: SourceTargetResult[] = [];
  await source.collect({
    sink: { report: async r => void reports.push(r) },
    signal: new AbortController().signal,
  });
  return reports;
}

const COMPLIANCE = {
  Compliant: 'Compliant',
  'Non-Compliant': 'NonCompliant',
  Pending: 'Pending',
  Suspended: 'Suspended',
  Unknown: 'Unknown',
} as const;

describe('AzureResourceGraphSource against the demo fleet', () => {
  let fleet: DemoFleet;

  beforeEach(async () => {
    fleet = await startDemoFleet({ clock: 'manual' });
  });
  afterEach(() => fleet.stop());

  const newSource = (over: Partial<AzureResourceGraphSourceOptions> = {}) =>
    new AzureResourceGraphSource({
      azure: {
        subscriptions: [fleet.azure.subscriptionId],
        endpoint: fleet.azure.endpoint,
        caData: Buffer.from(fleet.caPem).toString('base64'),
      },
      clusters: directoryOf(fleet),
      logger: mockServices.logger.mock(),
      requestTimeoutMs: 2000,
      credential: staticCredential(fleet.token),
      retry: { attempts: 2, baseDelayMs: 10 },
      ...over,
    });

  const azureClusters = () => fleet.clusters.filter(c => c.azureResourceId);

  it('reports every flux configuration, page by page, with its extension state', async () => {
    const reports = await collect(newSource({ pageSize: 1 }));
    expect(reports).toHaveLength(1);
    const [report] = reports;
    expect(report).toMatchObject({
      id: expect.stringMatching(/^azure:[0-9a-f]{12}$/),
      target: fleet.azure.subscriptionId,
      status: 'ok',
    });
    expect(report.message).toBeUndefined();
    // One page per row: 2 AKS/Arc clusters × (1 configuration + 1 extension).
    expect(fleet.requestCount({ endpoint: 'azure' })).toBe(4);

    const expected = fleet.scenario.objects.filter(
      o => o.kind === 'FluxConfig',
    );
    expect(expected.map(o => o.cluster).sort()).toEqual(
      azureClusters().map(c => c.name),
    );
    const records = [...report.records!].sort((a, b) =>
      a.cluster.localeCompare(b.cluster),
    );
    expect(
      records.map(r => ({
        cluster: r.cluster,
        kind: r.kind,
        namespace: r.namespace,
        name: r.name,
        compliance: r.compliance,
      })),
    ).toEqual(
      expected
        .sort((a, b) => a.cluster.localeCompare(b.cluster))
        .map(o => ({
          cluster: o.cluster,
          kind: 'FluxConfig',
          namespace: o.namespace,
          name: o.name,
          compliance: COMPLIANCE[o.complianceState!],
        })),
    );
    for (const r of records) {
      expect(isValidRecord(r)).toEqual([]);
      expect(r).toMatchObject({
        tool: 'flux',
        sources: ['azure'],
        health: 'Healthy',
        state: 'ok',
        revision: {
          commit: fleetSha(0),
          repoUrl: 'https://github.com/example-org/fleet-infra',
        },
      });
      const armCluster = azureClusters().find(
        c => c.name === r.cluster,
      )!.azureResourceId;
      expect(r.links).toContainEqual({
        type: 'azure-portal',
        title: 'Azure portal',
        url: `https://portal.azure.com/#@/resource${armCluster}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/cluster-config`,
      });
      expect(r.conditions).toContainEqual(
        expect.objectContaining({
          type: 'FluxExtension/flux',
          status: 'True',
          reason: 'Succeeded',
        }),
      );
    }
  });

  it('shows a failed microsoft.flux extension on the configurations of its cluster', async () => {
    // README timeline: on Arc clusters the extension fails from 292.5 s to 337.5 s.
    fleet.advance(300_000);
    const [report] = await collect(newSource());
    expect(report.status).toBe('ok');
    const prodUs = report.records!.find(r => r.cluster === 'prod-us')!;
    const prodEu = report.records!.find(r => r.cluster === 'prod-eu')!;
    expect(isValidRecord(prodUs)).toEqual([]);
    expect(prodUs).toMatchObject({
      health: 'Degraded',
      state: 'error',
      reason: 'FluxExtensionFailed',
      message: expect.stringMatching(/^Flux extension flux Failed/),
    });
    expect(prodUs.conditions).toContainEqual(
      expect.objectContaining({
        type: 'FluxExtension/flux',
        status: 'False',
        reason: 'Failed',
      }),
    );
    expect(prodUs.links.map(l => l.title)).toContain(
      'Azure portal (Flux extension)',
    );
    // Compliance stays what Azure reported for the configuration itself.
    const scenario = fleet.scenario.objects.find(
      o => o.kind === 'FluxConfig' && o.cluster === 'prod-us',
    )!;
    expect(prodUs.compliance).toBe(COMPLIANCE[scenario.complianceState!]);
    // The AKS cluster's extension is fine.
    expect(prodEu.conditions).toContainEqual(
      expect.objectContaining({ type: 'FluxExtension/flux', status: 'True' }),
    );
    expect(prodEu.reason).not.toMatch(/^FluxExtension/);
  });

  it('names clusters it cannot map by their ARM id', async () => {
    const [report] = await collect(
      newSource({ clusters: directoryOf(fleet, false) }),
    );
    expect(report.records!.map(r => r.cluster).sort()).toEqual(
      azureClusters()
        .map(c => `unknown:${c.azureResourceId}`)
        .sort(),
    );
    // Extensions still land on their cluster's configurations.
    for (const r of report.records!) {
      expect(r.conditions.map(c => c.type)).toContain('FluxExtension/flux');
    }
  });

  it('queries every readable subscription when none is configured (target azure:default)', async () => {
    const source = newSource({
      azure: {
        subscriptions: [],
        endpoint: fleet.azure.endpoint,
        caData: fleet.caPem,
      },
    });
    const [report] = await collect(source);
    expect(report).toMatchObject({
      id: 'azure:default',
      target: 'all subscriptions',
      status: 'ok',
    });
    expect(report.records).toHaveLength(2);

    const other = newSource({
      azure: {
        subscriptions: ['11111111-1111-1111-1111-111111111111'],
        endpoint: fleet.azure.endpoint,
        caData: fleet.caPem,
      },
    });
    const [none] = await collect(other);
    expect(none).toMatchObject({ status: 'ok', records: [] });
    expect(none.id).not.toBe(report.id);
  });

  it.each([
    ['unauthorized', '401 AuthenticationFailed: Authentication failed.', 1],
    ['error', '500 InternalServerError: Encountered internal server error.', 2],
    ['garbage', 'invalid JSON response', 1],
    ['down', 'socket hang up', 2],
    [{ type: 'slow', delayMs: 5000 }, 'timed out after 300 ms', 2],
  ] as const)(
    'reports %j as the source error without records (%s)',
    async (fault, message, requests) => {
      fleet.setFault('azure', fault);
      const reports = await collect(newSource({ requestTimeoutMs: 300 }));
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatchObject({
        id: expect.stringMatching(/^azure:/),
        status: 'error',
      });
      expect(reports[0].records).toBeUndefined();
      expect(reports[0].message).toMatch(
        /^azure: POST Microsoft\.ResourceGraph\/resources \(flux configurations\): /,
      );
      expect(reports[0].message).toContain(message);
      expect(reports[0].message).not.toContain(fleet.token);
      // The first query fails: 401 and garbage are not retried, the rest once (attempts: 2).
      expect(fleet.requestCount({ endpoint: 'azure' })).toBe(requests);
    },
  );

  it('honours Retry-After on 429, then reads the real endpoint', async () => {
    const { policy, state } = throttle(2, { 'Retry-After': '1' });
    const [report] = await collect(
      newSource({
        clientOptions: { additionalPolicies: [policy] },
        retry: { attempts: 3, baseDelayMs: 10 },
      }),
    );
    expect(report.status).toBe('ok');
    expect(report.records).toHaveLength(2);
    expect(state.throttled).toBe(2);
    expect(state.passed).toBe(2);
    // Each retry waited the second it was asked to (not the 10 ms backoff).
    const [first, second, third] = state.at;
    expect(second - first).toBeGreaterThanOrEqual(950);
    expect(third - second).toBeGreaterThanOrEqual(950);
    expect(fleet.requestCount({ endpoint: 'azure' })).toBe(2);
  });

  it("honours Resource Graph's x-ms-user-quota-resets-after", async () => {
    const { policy, state } = throttle(1, {
      'x-ms-user-quota-resets-after': '00:00:01',
    });
    const started = Date.now();
    const [report] = await collect(
      newSource({ clientOptions: { additionalPolicies: [policy] } }),
    );
    expect(report.status).toBe('ok');
    expect(state.throttled).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('gives up until the next collection when asked to wait longer than it may', async () => {
    const { policy } = throttle(2, { 'Retry-After': '120' });
    const started = Date.now();
    const [report] = await collect(
      newSource({
        clientOptions: { additionalPolicies: [policy] },
        retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 5000 },
      }),
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(report.status).toBe('error');
    expect(report.message).toContain(
      '429 RateLimiting: Please provide below info',
    );
    expect(report.message).toContain(
      '(asked to retry after 120 s; trying again next collection)',
    );
  });

  it('refuses the fleet without its CA', async () => {
    const [report] = await collect(
      newSource({
        azure: {
          subscriptions: [fleet.azure.subscriptionId],
          endpoint: fleet.azure.endpoint,
        },
      }),
    );
    expect(report.status).toBe('error');
    expect(report.message).toMatch(/certificate/i);
    // A certificate problem is not retried.
    expect(fleet.requestCount({ endpoint: 'azure' })).toBe(0);
  });

  it('reports a credential that cannot get a token', async () => {
    const [report] = await collect(
      newSource({
        credential: {
          getToken: async () => {
            const e = new Error('no managed identity endpoint found');
            e.name = 'CredentialUnavailableError';
            throw e;
          },
        },
      }),
    );
    expect(report).toMatchObject({
      status: 'error',
      message: expect.stringContaining(
        'getting a token: no managed identity endpoint found',
      ),
    });
    expect(fleet.requestCount({ endpoint: 'azure' })).toBe(0);
  });

  it('returns promptly without reporting when the session ends mid-request', async () => {
    fleet.setFault('azure', { type: 'slow', delayMs: 5000 });
    const controller = new AbortController();
    const reports: SourceTargetResult[] = [];
    const started = Date.now();
    const done = newSource({ requestTimeoutMs: 10_000 }).collect({
      sink: { report: async r => void reports.push(r) },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    await done;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(reports).toEqual([]);
  });
});
