import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { AccessToken, TokenCredential } from '@azure/core-auth';
import { customObjects, fleetRequest } from './__testUtils__/clients';
import { DemoFleet, fleetSha, startDemoFleet } from './index';
import { Timeline } from './scenario/timeline';

const P = 90_000;
const FLUX_QUERY = `kubernetesconfigurationresources
| where type == "microsoft.kubernetesconfiguration/fluxconfigurations"
| project id, name, properties`;
const EXTENSION_QUERY = `kubernetesconfigurationresources
| where type == "microsoft.kubernetesconfiguration/extensions"
| where properties.ExtensionType =~ "microsoft.flux"`;

/** A static credential, the way a backend would wrap a configured token. */
function staticCredential(token: string): TokenCredential {
  return {
    getToken: async (): Promise<AccessToken> => ({
      token,
      expiresOnTimestamp: Date.now() + 3600_000,
    }),
  };
}

describe('Azure Resource Graph', () => {
  let fleet: DemoFleet;
  const client = (token = fleet.token) =>
    new ResourceGraphClient(staticCredential(token), {
      endpoint: fleet.azure.endpoint,
      // Trust the fleet CA for this client only (NODE_EXTRA_CA_CERTS works too).
      tlsOptions: { ca: fleet.caPem },
      retryOptions: { maxRetries: 0 },
    });

  beforeAll(async () => {
    fleet = await startDemoFleet({
      clock: 'manual',
      rolloutPeriodMs: P,
      clusters: 8,
    });
  });
  afterAll(() => fleet.stop());

  it('pages through fluxConfigurations with the real client via $top and $skipToken', async () => {
    const graph = client();
    const rows: any[] = [];
    const pages: number[] = [];
    let skipToken: string | undefined;
    do {
      const page = await graph.resources({
        query: FLUX_QUERY,
        subscriptions: [fleet.azure.subscriptionId],
        options: { top: 1, skipToken },
      });
      expect(page.totalRecords).toBe(4);
      expect(page.resultTruncated).toBe('false');
      pages.push(page.count);
      rows.push(...(page.data as any[]));
      skipToken = page.skipToken;
    } while (skipToken);
    expect(pages).toEqual([1, 1, 1, 1]);

    // 8 clusters repeat the roles: prod-eu/cluster-07 are AKS, prod-us/cluster-08 Arc.
    const azureClusters = fleet.clusters.filter(c => c.azureResourceId);
    expect(azureClusters.map(c => c.name)).toEqual([
      'prod-eu',
      'prod-us',
      'cluster-07',
      'cluster-08',
    ]);
    expect(rows.map(r => r.id).sort()).toEqual(
      azureClusters
        .map(
          c =>
            `${c.azureResourceId}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/cluster-config`,
        )
        .sort(),
    );
    const prodEu = rows.find(r => r.resourceGroup === 'rg-prod-eu');
    expect(prodEu).toMatchObject({
      name: 'cluster-config',
      type: 'microsoft.kubernetesconfiguration/fluxconfigurations',
      subscriptionId: fleet.azure.subscriptionId,
      properties: {
        complianceState: 'Compliant',
        provisioningState: 'Succeeded',
        sourceKind: 'GitRepository',
        sourceSyncedCommitId: `main/${fleetSha(0)}`,
        gitRepository: {
          url: 'https://github.com/example-org/fleet-infra',
          repositoryRef: { branch: 'main' },
        },
        kustomizations: {
          infrastructure: { path: './infrastructure' },
          apps: { dependsOn: ['infrastructure'] },
        },
      },
    });
    expect(
      prodEu.properties.statuses.map(
        (s: any) => `${s.kind}/${s.name}:${s.complianceState}`,
      ),
    ).toEqual([
      'GitRepository/flux-system:Compliant',
      'Kustomization/infrastructure:Compliant',
      'Kustomization/apps:Compliant',
    ]);
    expect(
      rows.find(r => r.resourceGroup === 'rg-prod-us').properties
        .sourceSyncedCommitId,
    ).toBe(`main@sha1:${fleetSha(0)}`);
  });

  it('returns PascalCase microsoft.flux extensions and follows the scenario', async () => {
    const graph = client();
    const res = await graph.resources({
      query: EXTENSION_QUERY,
      subscriptions: [fleet.azure.subscriptionId],
    });
    expect(res.count).toBe(4);
    expect(res.skipToken).toBeUndefined();
    expect(
      (res.data as any[]).every(
        r =>
          r.properties.ExtensionType === 'microsoft.flux' &&
          r.properties.ProvisioningState === 'Succeeded',
      ),
    ).toBe(true);

    // Commit 3 reaching prod-us (Arc) breaks its extension for half a period.
    const tl = new Timeline(P, 8);
    fleet.advance(tl.clusterStart(3, 3) + 1000);
    const failing = await graph.resources({ query: EXTENSION_QUERY });
    const prodUs = (failing.data as any[]).find(
      r => r.resourceGroup === 'rg-prod-us',
    );
    expect(prodUs.properties).toMatchObject({
      ProvisioningState: 'Failed',
      Statuses: [{ Level: 'Error' }],
    });

    // The fluxConfiguration row and the in-cluster FluxConfig say the same thing.
    const flux = await graph.resources({ query: FLUX_QUERY });
    const rowProdEu = (flux.data as any[]).find(
      r => r.resourceGroup === 'rg-prod-eu',
    );
    const cr: any = await customObjects(
      fleet,
      'prod-eu',
    ).getNamespacedCustomObject({
      group: 'clusterconfig.azure.com',
      version: 'v1',
      plural: 'fluxconfigs',
      namespace: 'flux-system',
      name: 'cluster-config',
    });
    expect(cr.status.complianceState).toBe(
      rowProdEu.properties.complianceState,
    );
    expect(cr.status.sourceSyncedCommitId).toBe(
      rowProdEu.properties.sourceSyncedCommitId,
    );
    expect(
      fleet.scenario.objects.find(
        o => o.kind === 'FluxConfig' && o.cluster === 'prod-eu',
      )?.complianceState,
    ).toBe(cr.status.complianceState);
  });

  it('supports $skip, table format, subscription filters and unrelated queries', async () => {
    const graph = client();
    const skipped = await graph.resources({
      query: FLUX_QUERY,
      options: { skip: 3, top: 10 },
    });
    expect(skipped.count).toBe(1);
    const table: any = (
      await graph.resources({
        query: FLUX_QUERY,
        options: { resultFormat: 'table' },
      })
    ).data;
    expect(table.columns.map((c: any) => c.name)).toContain('properties');
    expect(table.rows).toHaveLength(4);
    const otherSub = await graph.resources({
      query: FLUX_QUERY,
      subscriptions: ['11111111-1111-1111-1111-111111111111'],
    });
    expect(otherSub.totalRecords).toBe(0);
    const vms = await graph.resources({
      query: "Resources | where type =~ 'Microsoft.Compute/virtualMachines'",
    });
    expect(vms.data).toEqual([]);
  });

  it('accepts the older api-versions and needs the bearer token', async () => {
    for (const version of ['2021-03-01', '2022-10-01']) {
      const res = await fleetRequest(
        fleet,
        `/azure/providers/Microsoft.ResourceGraph/resources?api-version=${version}`,
        {
          method: 'POST',
          body: { query: FLUX_QUERY, options: { $top: 2 } },
        },
      );
      expect(res.status).toBe(200);
      expect(res.json()).toMatchObject({
        totalRecords: 4,
        count: 2,
        facets: [],
        resultTruncated: 'false',
        $skipToken: expect.any(String),
      });
    }
    const badVersion = await fleetRequest(
      fleet,
      '/azure/providers/Microsoft.ResourceGraph/resources?api-version=1999-01-01',
      { method: 'POST', body: { query: 'x' } },
    );
    expect(badVersion.status).toBe(400);
    expect(badVersion.json().error.code).toBe('InvalidApiVersionParameter');

    await expect(
      client('wrong').resources({ query: FLUX_QUERY }),
    ).rejects.toMatchObject({ statusCode: 401 });
  });
});
