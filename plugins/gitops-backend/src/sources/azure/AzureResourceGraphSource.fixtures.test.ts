/*
 * The source's parsing path with the real Resource Graph client and real Azure bodies
 * (test/fixtures/azure): a pipeline policy answers like Resource Graph, in the envelope of the
 * fixtures' Resource Graph responses, with the ARM example resources as rows.
 */
import { mockServices } from '@backstage/backend-test-utils';
import type { SourceTargetResult } from '@gitops-status/plugin-gitops-node';
import { ClusterDirectory } from '../../config/clusters';
import {
  normalizeFluxConfiguration,
  normalizeFluxExtension,
} from '../../normalize';
import { jsonFixture } from '../../normalize/__testUtils__/fixtures';
import { isValidRecord } from '../../normalize/validate';
import {
  attachExtension,
  AzureResourceGraphSource,
  FLUX_CONFIGURATIONS_QUERY,
  FLUX_EXTENSIONS_QUERY,
} from './AzureResourceGraphSource';
import {
  fakeResourceGraph,
  jsonResponse,
  type PipelineResponseFactory,
} from './__testUtils__/graphStub';

const NOW = new Date('2025-03-01T12:00:00Z');
const CLUSTER_ARM_ID =
  '/subscriptions/subId1/resourceGroups/rg1/providers/Microsoft.Kubernetes/connectedClusters/clusterName1';

const body = (file: string) => {
  const f = jsonFixture(`azure/${file}`);
  return f.responses?.['200']?.body ?? f;
};

/** A real Resource Graph response envelope (totalRecords, count, resultTruncated, facets). */
const ENVELOPE = (() => {
  const { data: _data, ...rest } = body(
    'resource-graph/ResourcesBasicQuery.json',
  );
  return rest;
})();

/** An ARM resource as a Resource Graph row: ids and properties as ARM has them, plus row columns. */
function asRow(arm: any) {
  return {
    id: arm.id,
    name: arm.name,
    type: String(arm.type).toLowerCase(),
    properties: arm.properties,
    subscriptionId: 'subId1',
    resourceGroup: 'rg1',
  };
}

/** Resource Graph spells extension properties PascalCase (ProvisioningState, ExtensionType…). */
function pascalCase(props: Record<string, unknown>) {
  return Object.fromEntries(
    Object.entries(props).map(([k, v]) => [k[0].toUpperCase() + k.slice(1), v]),
  );
}

const fluxConfigRows = () => [
  asRow(body('arm-examples-2023-05-01/GetFluxConfiguration.json')),
  ...body('arm-examples-2023-05-01/ListFluxConfigurations.json').value.map(
    (arm: any, i: number) =>
      asRow({ ...arm, id: `${arm.id}-${i}`, name: `${arm.name}-${i}` }),
  ),
  asRow({
    ...body(
      'arm-examples-2025-04-01/CreateFluxConfigurationWithOCIRepository_response-200-body.json',
    ),
    id: `${CLUSTER_ARM_ID}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/oci-config`,
    name: 'oci-config',
  }),
];

/** GetExtension.json made a failed microsoft.flux extension, as a Resource Graph row. */
const failedFluxExtensionRow = () => {
  const arm = body('arm-examples-2023-05-01/GetExtension.json');
  return asRow({
    ...arm,
    id: arm.id.replace(/ClusterMonitor$/, 'flux'),
    name: 'flux',
    properties: pascalCase({
      ...arm.properties,
      extensionType: 'microsoft.flux',
      provisioningState: 'Failed',
    }),
  });
};

const clusters = new ClusterDirectory([
  {
    name: 'arc-one',
    authProvider: 'serviceAccount',
    skipTLSVerify: false,
    aliases: [],
    azureResourceId: CLUSTER_ARM_ID,
    collect: true,
  },
]);

function newSource(
  rowsFor: (query: string) => unknown[] | PipelineResponseFactory,
  pageSize?: number,
) {
  const graph = fakeResourceGraph(rowsFor, ENVELOPE);
  const source = new AzureResourceGraphSource({
    azure: { subscriptions: ['subId1'] },
    clusters,
    logger: mockServices.logger.mock(),
    requestTimeoutMs: 1000,
    credential: {
      getToken: async () => ({
        token: 'fixture-token',
        expiresOnTimestamp: Date.now() + 3600_000,
      }),
    },
    retry: { attempts: 2, baseDelayMs: 5 },
    pageSize,
    clientOptions: { additionalPolicies: [graph.policy] },
    now: () => NOW,
  });
  return { source, seen: graph.seen };
}

async function collect(source: AzureResourceGraphSource) {
  const reports: SourceTargetResult[] = [];
  await source.collect({
    sink: { report: async r => void reports.push(r) },
    signal: new AbortController().signal,
  });
  return reports;
}

const byQuery =
  (configs: unknown[], extensions: unknown[] = []) =>
  (query: string) =>
    query === FLUX_CONFIGURATIONS_QUERY ? configs : extensions;

describe('AzureResourceGraphSource with Azure fixtures', () => {
  it('reads the ARM example flux configurations across pages', async () => {
    const rows = fluxConfigRows();
    const { source, seen } = newSource(byQuery(rows), 2);
    const [report] = await collect(source);
    expect(report.status).toBe('ok');
    expect(report.message).toBeUndefined();
    const ctx = {
      cluster: 'arc-one',
      source: 'azure' as const,
      observedAt: NOW.toISOString(),
    };
    expect(report.records).toEqual(
      rows.map(row => {
        const r = normalizeFluxConfiguration(row, ctx);
        if (!r.ok) throw new Error(r.error);
        return r.record;
      }),
    );
    for (const r of report.records!) expect(isValidRecord(r)).toEqual([]);
    expect(report.records!.map(r => r.kind)).toEqual(
      rows.map(() => 'FluxConfig'),
    );

    // What was asked: both queries, the subscription, $top, and $skipToken after the first page.
    const pages = seen.filter(s => s.body.query === FLUX_CONFIGURATIONS_QUERY);
    expect(pages).toHaveLength(Math.ceil(rows.length / 2));
    expect(pages.map(p => p.body.options.$skipToken)).toEqual(
      pages.map((_, i) => (i === 0 ? undefined : `offset-${i * 2}`)),
    );
    expect(pages[0].body).toMatchObject({
      subscriptions: ['subId1'],
      options: { $top: 2, resultFormat: 'objectArray' },
    });
    expect(pages[0].url.pathname).toBe(
      '/providers/Microsoft.ResourceGraph/resources',
    );
    expect(pages[0].url.searchParams.get('api-version')).toBeTruthy();
    expect(seen.map(s => s.body.query)).toContain(FLUX_EXTENSIONS_QUERY);
  });

  it('attaches a PascalCase microsoft.flux extension row to its cluster', async () => {
    const rows = fluxConfigRows();
    const extension = failedFluxExtensionRow();
    const { source } = newSource(byQuery(rows, [extension]));
    const [report] = await collect(source);
    const ext = normalizeFluxExtension(extension);
    if (!ext.ok) throw new Error(ext.error);
    expect(ext.extension.provisioningState).toBe('Failed');
    for (const r of report.records!) {
      expect(isValidRecord(r)).toEqual([]);
      expect(r).toMatchObject({
        cluster: 'arc-one',
        health: 'Degraded',
        state: 'error',
        reason: 'FluxExtensionFailed',
      });
      expect(r.conditions.at(-1)).toEqual({
        type: 'FluxExtension/flux',
        status: 'False',
        reason: 'Failed',
        message: expect.stringContaining(
          `microsoft.flux ${
            ext.extension.currentVersion ?? ext.extension.version
          }`,
        ),
      });
    }
    const plain = normalizeFluxConfiguration(rows[0], {
      cluster: 'arc-one',
      source: 'azure',
      observedAt: NOW.toISOString(),
    });
    if (!plain.ok) throw new Error(plain.error);
    expect(report.records![0]).toEqual(
      attachExtension(plain.record, ext.extension),
    );
  });

  it('skips extensions of another type and says so', async () => {
    const monitor = body('arm-examples-2023-05-01/GetExtension.json');
    const { source } = newSource(byQuery(fluxConfigRows(), [asRow(monitor)]));
    const [report] = await collect(source);
    expect(report.status).toBe('ok');
    for (const r of report.records!) {
      expect(r.conditions.map(c => c.type)).not.toContain(
        'FluxExtension/ClusterMonitor',
      );
    }
    expect(report.message).toMatch(
      /^1 of \d+ rows could not be read, e\.g\. extension ClusterMonitor: type azuremonitor-containers is not microsoft\.flux$/,
    );
  });

  it('mentions a failed extension on a cluster without flux configurations', async () => {
    const { source } = newSource(byQuery([], [failedFluxExtensionRow()]));
    const [report] = await collect(source);
    expect(report).toMatchObject({ status: 'ok', records: [] });
    expect(report.message).toMatch(/^Flux extension flux on arc-one: Failed/);
  });

  it('reads the Resource Graph example response (rows that are not flux configurations)', async () => {
    const example = body('resource-graph/ResourcesBasicQuery.json');
    const { source } = newSource(query =>
      query === FLUX_CONFIGURATIONS_QUERY
        ? request => jsonResponse(request, 200, example)
        : [],
    );
    const [report] = await collect(source);
    expect(report).toMatchObject({ status: 'ok', records: [] });
    expect(report.message).toMatch(
      /^3 of 3 rows could not be read, e\.g\. FluxConfiguration myNetworkInterface: id .* does not name a cluster$/,
    );
  });

  it.each([
    [
      'a result without data',
      { ...ENVELOPE, data: undefined },
      'response is not a Resource Graph result',
    ],
    [
      'a table result',
      { ...ENVELOPE, data: { columns: [], rows: [] } },
      'response is not a Resource Graph result',
    ],
    [
      'a truncated result without $skipToken',
      { ...ENVELOPE, data: [], resultTruncated: 'true' },
      'result truncated without a $skipToken',
    ],
    [
      'paging that repeats its $skipToken',
      { ...ENVELOPE, data: [], $skipToken: 'same' },
      'paging does not end',
    ],
  ])('reports %s as an error', async (_label, answer, message) => {
    const { source } = newSource(query =>
      query === FLUX_CONFIGURATIONS_QUERY
        ? request => jsonResponse(request, 200, answer)
        : [],
    );
    const [report] = await collect(source);
    expect(report.status).toBe('error');
    expect(report.records).toBeUndefined();
    expect(report.message).toMatch(
      new RegExp(
        `^azure: POST Microsoft\\.ResourceGraph/resources \\(flux configurations(, page 2)?\\): ${message.replace(
          /[$]/g,
          '\\$',
        )}$`,
      ),
    );
  });
});
