/** The GitOps custom resources collected from each cluster, newest API version first. */
export interface CollectedKind {
  kind: string;
  group: string;
  plural: string;
  /** Tried in order: a cluster running older controllers serves only older versions. */
  versions: string[];
}

export const COLLECTED_KINDS: CollectedKind[] = [
  {
    kind: 'Kustomization',
    group: 'kustomize.toolkit.fluxcd.io',
    plural: 'kustomizations',
    versions: ['v1', 'v1beta2', 'v1beta1'],
  },
  {
    kind: 'HelmRelease',
    group: 'helm.toolkit.fluxcd.io',
    plural: 'helmreleases',
    versions: ['v2', 'v2beta2', 'v2beta1'],
  },
  {
    kind: 'GitRepository',
    group: 'source.toolkit.fluxcd.io',
    plural: 'gitrepositories',
    versions: ['v1', 'v1beta2', 'v1beta1'],
  },
  {
    kind: 'OCIRepository',
    group: 'source.toolkit.fluxcd.io',
    plural: 'ocirepositories',
    versions: ['v1', 'v1beta2'],
  },
  {
    kind: 'HelmRepository',
    group: 'source.toolkit.fluxcd.io',
    plural: 'helmrepositories',
    versions: ['v1', 'v1beta2', 'v1beta1'],
  },
  {
    kind: 'HelmChart',
    group: 'source.toolkit.fluxcd.io',
    plural: 'helmcharts',
    versions: ['v1', 'v1beta2', 'v1beta1'],
  },
  {
    kind: 'Bucket',
    group: 'source.toolkit.fluxcd.io',
    plural: 'buckets',
    versions: ['v1', 'v1beta2', 'v1beta1'],
  },
  {
    kind: 'Application',
    group: 'argoproj.io',
    plural: 'applications',
    versions: ['v1alpha1'],
  },
  {
    kind: 'FluxConfig',
    group: 'clusterconfig.azure.com',
    plural: 'fluxconfigs',
    versions: ['v1', 'v1beta1'],
  },
];
