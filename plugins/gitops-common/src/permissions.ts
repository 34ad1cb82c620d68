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

/** @public */
export const gitopsPermissions = [
  gitopsEntityReadPermission,
  gitopsDeploymentsReadPermission,
];
