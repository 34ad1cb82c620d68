import { FleetClusterModel, SUBSCRIPTION_ID, TENANT_ID } from '../clusters';
import {
  KubeObject,
  ScenarioContext,
  SimObject,
  metadata,
  timeOf,
} from './model';
import { BRANCH, FLEET_REPO, fleetSha, mod } from './timeline';

/*
 * Azure-managed Flux: the FluxConfig custom resource the fluxconfig-agent
 * keeps in the cluster, and the ARM resources Resource Graph returns for it
 * (microsoft.kubernetesconfiguration/fluxconfigurations and .../extensions).
 */

export const FLUX_CONFIG_NAME = 'cluster-config';
export const FLUX_EXTENSION_NAME = 'flux';

type Compliance = 'Compliant' | 'Non-Compliant' | 'Pending';

export interface FluxConfigState {
  compliance: Compliance;
  artifact: number;
  sourceUpdatedAt: string;
  statusUpdatedAt: string;
  statuses: Array<{
    kind: string;
    name: string;
    namespace: string;
    status: string;
    reason: string;
    message: string;
    lastTransitionTime: string;
  }>;
}

export interface FluxConfigInputs {
  gitRepository: SimObject;
  kustomizations: Array<{
    object: SimObject;
    path: string;
    dependsOn: string[];
  }>;
}

const COMPLIANCE: Record<string, Compliance> = {
  True: 'Compliant',
  False: 'Non-Compliant',
};
const complianceOf = (status: string): Compliance =>
  COMPLIANCE[status] ?? 'Pending';

function readyOf(o: KubeObject) {
  const ready = (o.status?.conditions ?? []).find(
    (c: any) => c.type === 'Ready',
  );
  return {
    kind: o.kind,
    name: o.metadata.name,
    namespace: o.metadata.namespace ?? '',
    status: ready?.status ?? 'Unknown',
    reason: ready?.reason ?? '',
    message: ready?.message ?? '',
    lastTransitionTime: ready?.lastTransitionTime ?? '',
  };
}

/** AKS reports the legacy `branch/sha` commit id, Arc the Flux 2 `branch@sha1:sha` form. */
export function syncedCommitId(
  cluster: FleetClusterModel,
  commit: number,
): string {
  return cluster.provider === 'aks'
    ? `${BRANCH}/${fleetSha(commit)}`
    : `${BRANCH}@sha1:${fleetSha(commit)}`;
}

export function fluxConfigState(
  inputs: FluxConfigInputs,
  t: number,
): FluxConfigState {
  const render = (o: SimObject) => o.render(o.state(t));
  const repo = render(inputs.gitRepository);
  const statuses = [
    repo,
    ...inputs.kustomizations.map(k => render(k.object)),
  ].map(readyOf);
  const compliances = statuses.map(s => complianceOf(s.status));
  // The worst state wins.
  const compliance =
    (['Non-Compliant', 'Pending'] as const).find(c =>
      compliances.includes(c),
    ) ?? 'Compliant';
  const artifact =
    inputs.gitRepository.describe(inputs.gitRepository.state(t))
      .appliedCommit ?? 0;
  return {
    compliance,
    artifact,
    sourceUpdatedAt: repo.status?.artifact?.lastUpdateTime ?? '',
    statusUpdatedAt:
      statuses
        .map(s => s.lastTransitionTime)
        .sort()
        .pop() ?? '',
    statuses,
  };
}

function fluxConfigSpec(inputs: FluxConfigInputs) {
  return {
    scope: 'cluster',
    namespace: 'flux-system',
    sourceKind: 'GitRepository',
    suspend: false,
    gitRepository: {
      url: FLEET_REPO,
      timeoutInSeconds: 600,
      syncIntervalInSeconds: 60,
      repositoryRef: { branch: BRANCH, tag: null, semver: null, commit: null },
      sshKnownHosts: null,
      httpsUser: null,
      httpsCACert: null,
      localAuthRef: null,
    },
    bucket: null,
    azureBlob: null,
    ociRepository: null,
    kustomizations: Object.fromEntries(
      inputs.kustomizations.map(k => [
        k.object.name,
        {
          name: k.object.name,
          path: k.path,
          dependsOn: k.dependsOn,
          timeoutInSeconds: 300,
          syncIntervalInSeconds: 600,
          retryIntervalInSeconds: null,
          prune: true,
          force: false,
          wait: true,
          postBuild: null,
        },
      ]),
    ),
  };
}

function fluxConfigStatus(cluster: FleetClusterModel, s: FluxConfigState) {
  return {
    statuses: s.statuses.map(st => ({
      name: st.name,
      namespace: st.namespace,
      kind: st.kind,
      complianceState: complianceOf(st.status),
      appliedBy:
        st.kind === 'Kustomization'
          ? { name: 'flux-system', namespace: 'flux-system' }
          : null,
      helmReleaseProperties: null,
      statusConditions: [
        {
          lastTransitionTime: st.lastTransitionTime,
          message: st.message,
          reason: st.reason,
          status: st.status,
          type: 'Ready',
        },
      ],
    })),
    repositoryPublicKey: '',
    sourceSyncedCommitId: syncedCommitId(cluster, s.artifact),
    sourceUpdatedAt: s.sourceUpdatedAt,
    statusUpdatedAt: s.statusUpdatedAt,
    complianceState: s.compliance,
    provisioningState: 'Succeeded',
    errorMessage: '',
  };
}

/** The in-cluster FluxConfig (clusterconfig.azure.com/v1). */
export function fluxConfig(
  ctx: ScenarioContext,
  cluster: FleetClusterModel,
  inputs: FluxConfigInputs,
): SimObject<FluxConfigState> {
  const labels = { 'clusterconfig.azure.com/managed-by': 'fluxconfig-agent' };
  return {
    resource: 'clusterconfig.azure.com/fluxconfigs',
    namespace: 'flux-system',
    name: FLUX_CONFIG_NAME,
    labels,
    state: t => fluxConfigState(inputs, t),
    render: (s): KubeObject => ({
      apiVersion: 'clusterconfig.azure.com/v1',
      kind: 'FluxConfig',
      metadata: metadata(ctx, cluster, 'FluxConfig', {
        name: FLUX_CONFIG_NAME,
        namespace: 'flux-system',
        labels,
      }),
      spec: fluxConfigSpec(inputs),
      status: fluxConfigStatus(cluster, s),
    }),
    describe: s => ({
      suspended: false,
      complianceState: s.compliance,
      appliedRevision: syncedCommitId(cluster, s.artifact),
      appliedCommit: s.artifact,
    }),
  };
}

export interface ArmRow {
  id: string;
  name: string;
  type: string;
  tenantId: string;
  kind: string;
  location: string;
  resourceGroup: string;
  subscriptionId: string;
  managedBy: string;
  sku: null;
  plan: null;
  properties: Record<string, unknown>;
  tags: null;
  identity: null;
  zones: null;
  extendedLocation: null;
}

function armRow(
  cluster: FleetClusterModel,
  type: string,
  name: string,
  properties: Record<string, unknown>,
): ArmRow {
  const plural = type.split('/')[1];
  const camel = plural === 'fluxconfigurations' ? 'fluxConfigurations' : plural;
  return {
    id: `${cluster.azureResourceId}/providers/Microsoft.KubernetesConfiguration/${camel}/${name}`,
    name,
    // Resource Graph returns types lower-cased.
    type,
    tenantId: TENANT_ID,
    kind: '',
    location: '',
    resourceGroup: cluster.resourceGroup!,
    subscriptionId: SUBSCRIPTION_ID,
    managedBy: '',
    sku: null,
    plan: null,
    properties,
    tags: null,
    identity: null,
    zones: null,
    extendedLocation: null,
  };
}

export function fluxConfigurationRow(
  cluster: FleetClusterModel,
  inputs: FluxConfigInputs,
  t: number,
): ArmRow {
  const s = fluxConfigState(inputs, t);
  return armRow(
    cluster,
    'microsoft.kubernetesconfiguration/fluxconfigurations',
    FLUX_CONFIG_NAME,
    {
      ...fluxConfigSpec(inputs),
      configurationProtectedSettings: {},
      ...fluxConfigStatus(cluster, s),
    },
  );
}

export interface ExtensionState {
  provisioningState: 'Succeeded' | 'Failed';
  since: number;
}

/** The Arc cluster's Flux extension fails an upgrade for half a period every fourth commit (commit % 4 === 3). */
export function extensionState(
  ctx: ScenarioContext,
  cluster: FleetClusterModel,
  t: number,
): ExtensionState {
  const tl = ctx.timeline;
  const c = tl.commitOnCluster(cluster.index, t);
  if (cluster.provider === 'arc' && c >= 1 && mod(c, 4) === 3) {
    const s = tl.clusterStart(c, cluster.index);
    if (t < s + tl.half) return { provisioningState: 'Failed', since: s };
    return { provisioningState: 'Succeeded', since: s + tl.half };
  }
  return { provisioningState: 'Succeeded', since: -24 * 3600_000 };
}

export function extensionRow(
  ctx: ScenarioContext,
  cluster: FleetClusterModel,
  t: number,
): ArmRow {
  const s = extensionState(ctx, cluster, t);
  const failed = s.provisioningState === 'Failed';
  const message =
    'Error: UPGRADE FAILED: timed out waiting for the condition: fluxconfig-agent deployment not ready';
  return armRow(
    cluster,
    'microsoft.kubernetesconfiguration/extensions',
    FLUX_EXTENSION_NAME,
    {
      ExtensionType: 'microsoft.flux',
      AutoUpgradeMinorVersion: true,
      ReleaseTrain: 'Stable',
      Version: '1.14.1',
      Scope: { Cluster: { ReleaseNamespace: 'flux-system' } },
      ConfigurationSettings: { 'multiTenancy.enforce': 'false' },
      ProvisioningState: s.provisioningState,
      Statuses: failed
        ? [
            {
              Code: 'InstallationFailed',
              DisplayStatus: 'Failed',
              Level: 'Error',
              Message: message,
              Time: timeOf(ctx, s.since),
            },
          ]
        : [],
      ErrorInfo: failed
        ? { Code: 'ExtensionOperationFailed', Message: message }
        : null,
      CustomLocationSettings: null,
      PackageUri: null,
      AksAssignedIdentity: null,
      IsSystemExtension: false,
    },
  );
}
