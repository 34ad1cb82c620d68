import { createPermission } from '@backstage/plugin-permission-common';
import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';

/** Read the GitOps status of a catalog entity. A resource permission, so isEntityOwner-style rules apply. @public */
export const gitopsEntityReadPermission = createPermission({
  name: 'gitops.entity.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Read the org-wide deployments view and cluster list. @public */
export const gitopsDeploymentsReadPermission = createPermission({
  name: 'gitops.deployments.read',
  attributes: { action: 'read' },
});

/**
 * Ask the tool to reconcile an entity's object now (Flux: `reconcile.fluxcd.io/requestedAt`; Argo
 * CD: sync). Only when `gitops.actions.enabled`. @public
 */
export const gitopsActionReconcilePermission = createPermission({
  name: 'gitops.action.reconcile',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Suspend or resume an entity's Flux object (`spec.suspend`). Only when `gitops.actions.enabled`. @public */
export const gitopsActionSuspendPermission = createPermission({
  name: 'gitops.action.suspend',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** @public */
export const gitopsPermissions = [
  gitopsEntityReadPermission,
  gitopsDeploymentsReadPermission,
  gitopsActionReconcilePermission,
  gitopsActionSuspendPermission,
];
