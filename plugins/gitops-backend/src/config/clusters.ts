import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** A cluster as configured once for every source. */
export interface ClusterConfig {
  name: string;
  title?: string;
  environment?: string;
  url?: string;
  authProvider: 'serviceAccount' | 'localKubectlProxy';
  serviceAccountToken?: string;
  caData?: string;
  caFile?: string;
  skipTLSVerify: boolean;
  aliases: string[];
  azureResourceId?: string;
  /** The Argo CD instance running on this cluster (Applications collected from it). */
  argocdInstance?: string;
  collect: boolean;
}

const AUTH_PROVIDERS = ['serviceAccount', 'localKubectlProxy'] as const;

function readCluster(c: Config, origin: string): ClusterConfig {
  const name = c.getString('name');
  const authProvider = c.getOptionalString('authProvider') ?? 'serviceAccount';
  if (!(AUTH_PROVIDERS as readonly string[]).includes(authProvider)) {
    throw new InputError(
      `${origin} cluster ${name}: authProvider "${authProvider}" is not supported (use ${AUTH_PROVIDERS.join(
        ' or ',
      )})`,
    );
  }
  return {
    name,
    title: c.getOptionalString('title'),
    environment: c.getOptionalString('environment'),
    url: c.getOptionalString('url'),
    authProvider: authProvider as ClusterConfig['authProvider'],
    serviceAccountToken: c.getOptionalString('serviceAccountToken'),
    caData: c.getOptionalString('caData'),
    caFile: c.getOptionalString('caFile'),
    skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false,
    aliases: c.getOptionalStringArray('aliases') ?? [],
    azureResourceId: c.getOptionalString('azureResourceId'),
    argocdInstance: c.getOptionalString('argocdInstance'),
    collect: c.getOptionalBoolean('collect') ?? true,
  };
}

/**
 * Clusters from `gitops.clusters`, plus by default those already configured for the Backstage
 * Kubernetes plugin (`kubernetes.clusterLocatorMethods` of type config), so users configure clusters once.
 * A gitops entry overrides a Kubernetes plugin entry of the same name.
 */
export function readClusters(config: Config): ClusterConfig[] {
  const byName = new Map<string, ClusterConfig>();
  const useK8s =
    config.getOptionalBoolean(
      'gitops.kubernetes.useKubernetesPluginClusters',
    ) ?? true;
  if (useK8s) {
    for (const method of config.getOptionalConfigArray(
      'kubernetes.clusterLocatorMethods',
    ) ?? []) {
      if (method.getString('type') !== 'config') continue;
      for (const c of method.getOptionalConfigArray('clusters') ?? []) {
        const cluster = readCluster(c, 'kubernetes.clusterLocatorMethods');
        byName.set(cluster.name, cluster);
      }
    }
  }
  for (const c of config.getOptionalConfigArray('gitops.clusters') ?? []) {
    const cluster = readCluster(c, 'gitops.clusters');
    const k8s = byName.get(cluster.name);
    byName.set(
      cluster.name,
      k8s
        ? {
            ...k8s,
            ...definedOnly(cluster),
            aliases: [...k8s.aliases, ...cluster.aliases],
          }
        : cluster,
    );
  }
  return [...byName.values()];
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

/** In-cluster names Argo CD uses for the cluster it runs on. */
const IN_CLUSTER = new Set(['https://kubernetes.default.svc', 'in-cluster']);

/**
 * Resolves names other tools use for a cluster (Argo CD destination server/name, Prometheus label,
 * Azure resource id) to the configured cluster name.
 */
export class ClusterDirectory {
  private readonly byAlias = new Map<string, string>();

  constructor(readonly clusters: ClusterConfig[]) {
    for (const c of clusters) {
      for (const alias of [c.name, c.url, c.azureResourceId, ...c.aliases]) {
        if (alias) this.byAlias.set(normalizeAlias(alias), c.name);
      }
    }
  }

  resolve(alias: string | undefined): string | undefined {
    return alias ? this.byAlias.get(normalizeAlias(alias)) : undefined;
  }

  /** An Argo CD destination, seen from the cluster the Application object lives on. */
  resolveDestination(
    d: { server?: string; name?: string },
    homeCluster?: string,
  ): string | undefined {
    for (const v of [d.server, d.name]) {
      if (v && IN_CLUSTER.has(v.replace(/\/+$/, ''))) return homeCluster;
    }
    return this.resolve(d.server) ?? this.resolve(d.name);
  }

  get(name: string): ClusterConfig | undefined {
    return this.clusters.find(c => c.name === name);
  }
}

function normalizeAlias(alias: string): string {
  return alias.trim().replace(/\/+$/, '').toLowerCase();
}
