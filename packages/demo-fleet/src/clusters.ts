import {
  ClusterProvider,
  DemoFleetCluster,
  DemoFleetClusterSpec,
  FluxMetricsGeneration,
} from './types';

export const SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000001';
export const TENANT_ID = '00000000-0000-0000-0000-0000000000aa';

/** Targets that are not clusters; cluster names must not collide with them. */
export const SERVICE_TARGETS = ['argocd/main', 'azure', 'metrics'] as const;

interface Role {
  name: string;
  environment: string;
  provider: ClusterProvider;
  fluxMetrics: FluxMetricsGeneration;
  location: string;
}

// The four reference clusters. Extra clusters repeat these roles, so a
// 50-cluster fleet has the same mix of plain, AKS and Arc clusters.
const ROLES: Role[] = [
  {
    name: 'dev',
    environment: 'dev',
    provider: 'kubernetes',
    fluxMetrics: 'both',
    location: 'westeurope',
  },
  {
    name: 'staging',
    environment: 'staging',
    provider: 'kubernetes',
    fluxMetrics: 'ksm',
    location: 'westeurope',
  },
  {
    name: 'prod-eu',
    environment: 'prod',
    provider: 'aks',
    fluxMetrics: 'legacy',
    location: 'westeurope',
  },
  {
    name: 'prod-us',
    environment: 'prod',
    provider: 'arc',
    fluxMetrics: 'ksm',
    location: 'eastus',
  },
];

/** A cluster plus the internal facts the scenario needs. */
export interface FleetClusterModel extends DemoFleetCluster {
  index: number;
  resourceGroup?: string;
  location: string;
  latencyMs?: number;
}

export function azureResourceId(
  name: string,
  provider: ClusterProvider,
): string | undefined {
  const rg = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg-${name}/providers`;
  if (provider === 'aks')
    return `${rg}/Microsoft.ContainerService/managedClusters/${name}`;
  if (provider === 'arc')
    return `${rg}/Microsoft.Kubernetes/connectedClusters/${name}`;
  return undefined;
}

function generatedName(index: number, count: number): string {
  const width = Math.max(2, String(count).length);
  return `cluster-${String(index + 1).padStart(width, '0')}`;
}

export function buildClusters(
  clusters: number | Array<string | DemoFleetClusterSpec> | undefined,
  baseUrl: string,
): FleetClusterModel[] {
  const specs: DemoFleetClusterSpec[] = Array.isArray(clusters)
    ? clusters.map(c => (typeof c === 'string' ? { name: c } : c))
    : Array.from({ length: clusters ?? 4 }, (_, i) => ({
        name:
          i < ROLES.length ? ROLES[i].name : generatedName(i, clusters ?? 4),
      }));
  if (specs.length === 0)
    throw new Error('The fleet needs at least one cluster');

  const seen = new Set<string>();
  return specs.map((spec, index) => {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(spec.name)) {
      throw new Error(`Invalid cluster name '${spec.name}' (use a DNS label)`);
    }
    if (
      seen.has(spec.name) ||
      (SERVICE_TARGETS as readonly string[]).includes(spec.name)
    ) {
      throw new Error(`Duplicate or reserved cluster name '${spec.name}'`);
    }
    seen.add(spec.name);
    const role = ROLES[index % ROLES.length];
    const provider = spec.provider ?? role.provider;
    const serverAlias = `https://${spec.name}.k8s.example.com`;
    // Argo CD runs on the first cluster and reaches it in-cluster.
    const runsArgoCd = index === 0;
    return {
      index,
      name: spec.name,
      environment: spec.environment ?? role.environment,
      provider,
      server: `${baseUrl}/clusters/${spec.name}`,
      serverAlias,
      argocdServerAlias: runsArgoCd
        ? 'https://kubernetes.default.svc'
        : serverAlias,
      argocdDestinationName: runsArgoCd ? 'in-cluster' : spec.name,
      azureResourceId: azureResourceId(spec.name, provider),
      resourceGroup: provider === 'kubernetes' ? undefined : `rg-${spec.name}`,
      location: role.location,
      fluxMetrics: spec.fluxMetrics ?? role.fluxMetrics,
      runsArgoCd,
      latencyMs: spec.latencyMs,
    };
  });
}

/** The public view of a cluster (without internal fields). */
export function publicCluster(c: FleetClusterModel): DemoFleetCluster {
  return {
    name: c.name,
    environment: c.environment,
    provider: c.provider,
    server: c.server,
    serverAlias: c.serverAlias,
    argocdServerAlias: c.argocdServerAlias,
    argocdDestinationName: c.argocdDestinationName,
    ...(c.azureResourceId ? { azureResourceId: c.azureResourceId } : {}),
    fluxMetrics: c.fluxMetrics,
    runsArgoCd: c.runsArgoCd,
  };
}
