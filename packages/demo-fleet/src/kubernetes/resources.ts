import { FleetClusterModel } from '../clusters';

/** A custom resource type the simulated API servers know about. */
export interface ResourceType {
  /** `${group}/${plural}` */
  key: string;
  group: string;
  plural: string;
  singular: string;
  kind: string;
  shortNames: string[];
  /** Version objects are stored (and built) in. */
  storageVersion: string;
  /** All versions served; older ones return the same objects with apiVersion adjusted. */
  versions: string[];
  servedOn(cluster: FleetClusterModel): boolean;
}

const everywhere = () => true;

function resource(
  group: string,
  plural: string,
  kind: string,
  versions: string[],
  shortNames: string[],
  servedOn: (c: FleetClusterModel) => boolean = everywhere,
): ResourceType {
  return {
    key: `${group}/${plural}`,
    group,
    plural,
    singular: kind.toLowerCase(),
    kind,
    shortNames,
    storageVersion: versions[0],
    versions,
    servedOn,
  };
}

export const RESOURCES: ResourceType[] = [
  resource(
    'kustomize.toolkit.fluxcd.io',
    'kustomizations',
    'Kustomization',
    ['v1', 'v1beta2'],
    ['ks'],
  ),
  resource(
    'helm.toolkit.fluxcd.io',
    'helmreleases',
    'HelmRelease',
    ['v2', 'v2beta2'],
    ['hr'],
  ),
  resource(
    'source.toolkit.fluxcd.io',
    'gitrepositories',
    'GitRepository',
    ['v1', 'v1beta2'],
    ['gitrepo'],
  ),
  resource(
    'source.toolkit.fluxcd.io',
    'ocirepositories',
    'OCIRepository',
    ['v1', 'v1beta2'],
    ['ocirepo'],
  ),
  resource(
    'source.toolkit.fluxcd.io',
    'helmrepositories',
    'HelmRepository',
    ['v1', 'v1beta2'],
    ['helmrepo'],
  ),
  resource(
    'source.toolkit.fluxcd.io',
    'helmcharts',
    'HelmChart',
    ['v1', 'v1beta2'],
    ['hc'],
  ),
  resource(
    'source.toolkit.fluxcd.io',
    'buckets',
    'Bucket',
    ['v1', 'v1beta2'],
    [],
  ),
  // Argo CD only runs on one cluster, and only that cluster has its CRDs.
  resource(
    'argoproj.io',
    'applications',
    'Application',
    ['v1alpha1'],
    ['app', 'apps'],
    c => c.runsArgoCd,
  ),
  // The fluxconfig-agent of the Azure extension only exists on AKS / Arc clusters.
  resource(
    'clusterconfig.azure.com',
    'fluxconfigs',
    'FluxConfig',
    ['v1'],
    ['fc'],
    c => c.provider !== 'kubernetes',
  ),
];

export const RESOURCES_BY_KEY = new Map(RESOURCES.map(r => [r.key, r]));

export function findResource(
  group: string,
  version: string,
  plural: string,
): ResourceType | undefined {
  const r = RESOURCES_BY_KEY.get(`${group}/${plural}`);
  return r && r.versions.includes(version) ? r : undefined;
}

export function groupsServedOn(
  cluster: FleetClusterModel,
): Map<string, ResourceType[]> {
  const groups = new Map<string, ResourceType[]>();
  for (const r of RESOURCES) {
    if (!r.servedOn(cluster)) continue;
    groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  }
  return groups;
}
