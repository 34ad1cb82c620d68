/**
 * Catalog annotations that link an entity to GitOps objects. The first group is what users of the
 * Kubernetes and Argo CD plugins already write; the `gitops/` group is ours.
 * Values are only ever matched against collected objects and configured names: none becomes a URL.
 * @public
 */
export const GITOPS_ANNOTATIONS = {
  kubernetesId: 'backstage.io/kubernetes-id',
  kubernetesLabelSelector: 'backstage.io/kubernetes-label-selector',
  argocdAppName: 'argocd/app-name',
  argocdAppSelector: 'argocd/app-selector',
  argocdInstanceName: 'argocd/instance-name',
  argocdProjectName: 'argocd/project-name',
  clusters: 'gitops/clusters',
  fluxResources: 'gitops/flux-resources',
  azureFluxConfigurations: 'gitops/azure-flux-configurations',
} as const;

/** Put on a GitOps object, binds it to that entity (reverse link). @public */
export const ENTITY_REF_OBJECT_ANNOTATION = 'backstage.io/entity-ref';

/** Annotations that select objects (gitops/clusters only narrows, it does not select). @public */
export const SELECTING_ANNOTATIONS: readonly string[] = [
  GITOPS_ANNOTATIONS.kubernetesId,
  GITOPS_ANNOTATIONS.kubernetesLabelSelector,
  GITOPS_ANNOTATIONS.argocdAppName,
  GITOPS_ANNOTATIONS.argocdAppSelector,
  GITOPS_ANNOTATIONS.fluxResources,
  GITOPS_ANNOTATIONS.azureFluxConfigurations,
];

/** True when the entity carries at least one annotation that selects GitOps objects. @public */
export function hasGitOpsAnnotation(entity: {
  metadata: { annotations?: Record<string, string> };
}): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return SELECTING_ANNOTATIONS.some(a => Boolean(annotations[a]));
}
