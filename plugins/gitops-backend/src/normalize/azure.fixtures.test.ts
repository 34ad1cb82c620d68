/*
 * Azure managed Flux against the ARM examples and API definitions of
 * Microsoft.KubernetesConfiguration, Resource Graph responses and Azure's GitOps dashboards.
 */
import { parseRevision } from '@gitops-status/plugin-gitops-common';
import {
  clusterResourceIdOf,
  normalizeAll,
  normalizeFluxConfiguration,
  normalizeFluxExtension,
  normalizeObject,
} from '.';
import { isValidRecord } from './validate';
import {
  jsonFixture,
  normalizeOk,
  readFixture,
  testContext,
} from './__testUtils__/fixtures';

const ctx = testContext({ source: 'azure', cluster: 'clusterName1' });
const body = (file: string) =>
  jsonFixture(`azure/${file}`).responses?.['200']?.body ??
  jsonFixture(`azure/${file}`);
const swagger = (file: string) =>
  jsonFixture(`azure/arm-swagger-2023-05-01/${file}`).definitions;

/** A Resource Graph query of the Azure GitOps dashboard, found by a phrase it contains. */
function dashboardQuery(phrase: string): string {
  const dashboard = readFixture(
    'azure/grafana-dashboards/GitOps-Flux-Application-Deployments-Dashboard.json',
  );
  const queries = [
    ...dashboard.matchAll(/"query":\s*"((?:[^"\\]|\\.)*)"/g),
  ].map(m => JSON.parse(`"${m[1]}"`) as string);
  const found = queries.find(q => q.includes(phrase));
  if (!found) throw new Error(`no dashboard query with ${phrase}`);
  return found;
}

function expectRecordFromFluxConfiguration(arm: any) {
  const result = normalizeFluxConfiguration(arm, ctx);
  if (!result.ok) throw new Error(result.error);
  expect(isValidRecord(result.record)).toEqual([]);
  const p = arm.properties;
  const record = result.record;
  const parsed = parseRevision(p.sourceSyncedCommitId);
  const sourceKey = {
    GitRepository: 'gitRepository',
    OCIRepository: 'ociRepository',
  }[p.sourceKind as string]!;
  expect(record).toMatchObject({
    tool: 'flux',
    kind: 'FluxConfig',
    name: arm.name,
    namespace: p.namespace,
    cluster: 'clusterName1',
    compliance: p.complianceState,
    health: 'Healthy',
    sync: 'Synced',
    suspended: p.suspend,
    lastReconciledAt: p.statusUpdatedAt,
    sources: ['azure'],
  });
  expect(record.revision).toMatchObject({
    applied: p.sourceSyncedCommitId,
    commit: parsed.commit,
    repoUrl: p[sourceKey].url,
  });
  expect(record.revision.ref).toBe(
    parsed.ref ?? p[sourceKey].repositoryRef?.branch,
  );
  expect(record.links).toContainEqual({
    type: 'azure-portal',
    title: 'Azure portal',
    url: `https://portal.azure.com/#@/resource${arm.id}`,
  });
  // One condition per deployed object, True when Azure counts it Compliant.
  expect(record.conditions.map(c => [c.type, c.status, c.reason])).toEqual(
    p.statuses.map((s: any) => [
      `${s.kind}/${s.name}`,
      s.complianceState === 'Compliant' ? 'True' : 'False',
      s.complianceState,
    ]),
  );
  return record;
}

describe('Azure fluxConfigurations (ARM examples 2023-05-01, 2025-04-01)', () => {
  it('GetFluxConfiguration: Git source, master/<sha> commit linked on GitHub, statuses as conditions', () => {
    const arm = body('arm-examples-2023-05-01/GetFluxConfiguration.json');
    const record = expectRecordFromFluxConfiguration(arm);
    const sha = parseRevision(arm.properties.sourceSyncedCommitId).commit;
    expect(record.revision.commitUrl).toBe(
      `${arm.properties.gitRepository.url}/commit/${sha}`,
    );
    expect(record.conditions[0].message).toBe(
      arm.properties.statuses[0].statusConditions[0].message,
    );
  });

  it('ListFluxConfigurations: the `value` envelope, statusConditions null', () => {
    const list = body('arm-examples-2023-05-01/ListFluxConfigurations.json');
    expect(list.nextLink).toBeNull();
    const results = normalizeAll(list, ctx);
    expect(results).toHaveLength(list.value.length);
    list.value.forEach((arm: any) => expectRecordFromFluxConfiguration(arm));
  });

  it('CreateFluxConfigurationWithOCIRepository: OCI source, bare commit id, no Git commit link', () => {
    const arm = body(
      'arm-examples-2025-04-01/CreateFluxConfigurationWithOCIRepository_response-200-body.json',
    );
    expect(arm.properties.gitRepository).toBeNull();
    const record = expectRecordFromFluxConfiguration(arm);
    expect(record.revision.repoUrl).toBe(arm.properties.ociRepository.url);
    expect(record.revision.commitUrl).toBeUndefined();
    expect(record.links.filter(l => l.type === 'commit')).toEqual([]);
  });

  it('every FluxComplianceState in the API definition maps; null counts as Pending like the Azure dashboard', () => {
    const states: string[] = swagger(
      'fluxconfiguration_status-definitions-subset.json',
    ).FluxComplianceStateDefinition.enum;
    const expected: Record<string, string> = {
      Compliant: 'Compliant',
      'Non-Compliant': 'NonCompliant',
      Pending: 'Pending',
      Suspended: 'Suspended',
      Unknown: 'Unknown',
    };
    expect(states.sort()).toEqual(Object.keys(expected).sort());
    const arm = body('arm-examples-2023-05-01/GetFluxConfiguration.json');
    for (const state of states) {
      const r = normalizeFluxConfiguration(
        { ...arm, properties: { ...arm.properties, complianceState: state } },
        ctx,
      );
      expect(r.ok && r.record.compliance).toBe(expected[state]);
      expect(r.ok && isValidRecord(r.record)).toEqual([]);
    }
    expect(
      dashboardQuery('summarize Count=count() by complianceState'),
    ).toContain('iff(isnull(properties.complianceState), "Pending"');
    const pending = normalizeFluxConfiguration(
      { ...arm, properties: { ...arm.properties, complianceState: null } },
      ctx,
    );
    expect(pending.ok && pending.record).toMatchObject({
      compliance: 'Pending',
      health: 'Progressing',
      state: 'progressing',
    });
  });

  it('a non-compliant object is named in the message; an unknown state is Unknown with the raw value', () => {
    const arm = body('arm-examples-2023-05-01/GetFluxConfiguration.json');
    const statuses = structuredClone(arm.properties.statuses);
    statuses[1].complianceState = 'Non-Compliant';
    statuses[1].statusConditions[0] = {
      ...statuses[1].statusConditions[0],
      status: 'False',
      message: 'kustomization path not found',
    };
    const r = normalizeFluxConfiguration(
      {
        ...arm,
        properties: {
          ...arm.properties,
          complianceState: 'Non-Compliant',
          statuses,
        },
      },
      ctx,
    );
    expect(r.ok && r.record).toMatchObject({
      compliance: 'NonCompliant',
      health: 'Degraded',
      state: 'error',
      reason: 'Non-Compliant',
    });
    expect(r.ok && r.record.message).toBe(
      `Kustomization/${statuses[1].name}: kustomization path not found`,
    );

    const weird = normalizeFluxConfiguration(
      {
        ...arm,
        properties: { ...arm.properties, complianceState: 'Sideways' },
      },
      ctx,
    );
    expect(weird.ok && weird.record.compliance).toBe('Unknown');
    expect(weird.ok && weird.record.message).toContain(
      'complianceState "Sideways" not recognised',
    );
  });

  it('suspend: true is Suspended', () => {
    const arm = body('arm-examples-2023-05-01/GetFluxConfiguration.json');
    const r = normalizeFluxConfiguration(
      { ...arm, properties: { ...arm.properties, suspend: true } },
      ctx,
    );
    expect(r.ok && r.record).toMatchObject({
      compliance: 'Suspended',
      health: 'Suspended',
      suspended: true,
      state: 'suspended',
    });
  });

  it('the cluster of a configuration is found from its ARM id', () => {
    const arm = body('arm-examples-2023-05-01/GetFluxConfiguration.json');
    const {
      subscriptionId,
      resourceGroupName,
      clusterRp,
      clusterResourceName,
      clusterName,
    } = jsonFixture(
      'azure/arm-examples-2023-05-01/GetFluxConfiguration.json',
    ).parameters;
    expect(clusterResourceIdOf(arm.id)).toBe(
      `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/${clusterRp}/${clusterResourceName}/${clusterName}`,
    );
  });

  it('normalizeObject dispatches ARM resources by type; other Resource Graph rows are rejected by type', () => {
    const arm = body('arm-examples-2023-05-01/GetFluxConfiguration.json');
    expect(normalizeObject(arm, ctx).ok).toBe(true);
    const rows = body('resource-graph/ResourcesBasicQuery.json');
    const results = normalizeAll(rows, ctx);
    expect(results).toHaveLength(rows.data.length);
    results.forEach((r, i) =>
      expect(r).toEqual({
        ok: false,
        error: expect.stringContaining(
          `unsupported Azure resource type ${rows.data[i].type}`,
        ),
      }),
    );
  });
});

describe('FluxConfig objects in a cluster (clusterconfig.azure.com)', () => {
  it('read like the ARM properties they mirror (spec + status)', () => {
    const arm = body('arm-examples-2023-05-01/GetFluxConfiguration.json');
    const specKeys = [
      'scope',
      'namespace',
      'sourceKind',
      'suspend',
      'gitRepository',
      'kustomizations',
    ];
    const p = arm.properties;
    const cr = {
      apiVersion: 'clusterconfig.azure.com/v1',
      kind: 'FluxConfig',
      metadata: { name: arm.name, namespace: p.namespace },
      spec: Object.fromEntries(specKeys.map(k => [k, p[k]])),
      status: Object.fromEntries(
        Object.entries(p).filter(([k]) => !specKeys.includes(k)),
      ),
    };
    const fromCluster = normalizeOk(
      cr,
      testContext({ cluster: 'clusterName1' }),
    );
    const fromArm = normalizeOk(arm, ctx);
    const { links: _a, sources: _b, ...clusterView } = fromCluster;
    const { links: _c, sources: _d, ...armView } = fromArm;
    expect(clusterView).toEqual(armView);
    expect(fromCluster.links.some(l => l.type === 'azure-portal')).toBe(false);
  });
});

describe('microsoft.flux extension', () => {
  const provisioningStates: string[] = swagger(
    'common-2022-03-01_ProvisioningStateDefinition-subset.json',
  ).ProvisioningStateDefinition.enum;
  const extension = body('arm-examples-2023-05-01/GetExtension.json');
  const asFlux = (properties: object = {}) => ({
    ...extension,
    name: 'flux',
    properties: {
      ...extension.properties,
      extensionType: 'microsoft.flux',
      ...properties,
    },
  });
  /** Resource Graph returns extension properties PascalCase (see the Azure GitOps dashboard's KQL). */
  const pascal = (o: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(o).map(([k, v]) => [k[0].toUpperCase() + k.slice(1), v]),
    );

  it('GetExtension (azuremonitor-containers) is rejected as not microsoft.flux', () => {
    expect(normalizeFluxExtension(extension)).toEqual({
      ok: false,
      error: `extension ${extension.name}: type ${extension.properties.extensionType} is not microsoft.flux`,
    });
  });

  it.each(provisioningStates)('provisioningState %s', state => {
    const expected: Record<string, string> = {
      Succeeded: 'Compliant',
      Failed: 'NonCompliant',
      Canceled: 'NonCompliant',
      Creating: 'Pending',
      Updating: 'Pending',
      Deleting: 'Pending',
    };
    for (const row of [
      asFlux({ provisioningState: state }),
      {
        ...extension,
        name: 'flux',
        properties: pascal({
          ...extension.properties,
          extensionType: 'microsoft.flux',
          provisioningState: state,
        }),
      },
    ]) {
      const r = normalizeFluxExtension(row);
      expect(r.ok && r.extension).toMatchObject({
        name: 'flux',
        provisioningState: state,
        compliance: expected[state],
        version: extension.properties.version,
      });
    }
  });

  it('reads PascalCase rows the way the Azure dashboard queries them, with the failure message', () => {
    const query = dashboardQuery('properties["Statuses"][0]["Message"]');
    for (const field of [
      'properties.ExtensionType =~ "microsoft.flux"',
      'properties.ProvisioningState',
      'properties.Version',
    ]) {
      expect(query).toContain(field);
    }
    const row = {
      id: extension.id.replace('ClusterMonitor', 'flux'),
      name: 'flux',
      properties: {
        ExtensionType: 'microsoft.flux',
        ProvisioningState: 'Failed',
        Version: '1.8.2',
        Statuses: [{ Message: 'helm install failed' }],
      },
    };
    const r = normalizeFluxExtension(row);
    expect(r.ok && r.extension).toMatchObject({
      compliance: 'NonCompliant',
      health: 'Degraded',
      state: 'error',
      message: 'helm install failed',
      version: '1.8.2',
      clusterResourceId: clusterResourceIdOf(extension.id),
    });
  });

  it('an unknown provisioningState is Unknown with the raw value', () => {
    const r = normalizeFluxExtension(
      asFlux({ provisioningState: 'Levitating' }),
    );
    expect(r.ok && r.extension).toMatchObject({
      compliance: 'Unknown',
      provisioningState: 'Levitating',
    });
    expect(r.ok && r.extension.message).toContain(
      'provisioningState "Levitating" not recognised',
    );
  });
});
