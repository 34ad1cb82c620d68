import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  gitopsDeploymentsReadPermission,
  gitopsEntityReadPermission,
} from '@gitops-status/plugin-gitops-common';
import type { GitOpsStore } from '../store/GitOpsStore';

/**
 * Which entities' objects the caller may see in org-wide views. Undefined means all (the policy
 * allows `gitops.entity.read` unconditionally). A conditional decision is resolved against the
 * entities that have GitOps objects, and the result becomes a query filter: records the caller may
 * not read are neither returned nor counted.
 */
export async function visibleEntityRefs(
  permissions: PermissionsService,
  store: GitOpsStore,
  credentials: BackstageCredentials,
): Promise<string[] | undefined> {
  // Both asked at once (each is a call to the permission backend); nothing is read before both
  // answered, and a denied page wins over whatever the entity decision was.
  const [[page], [decision]] = await Promise.all([
    permissions.authorize([{ permission: gitopsDeploymentsReadPermission }], {
      credentials,
    }),
    permissions.authorizeConditional(
      [{ permission: gitopsEntityReadPermission }],
      { credentials },
    ),
  ]);
  if (page.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError('Not allowed to read GitOps deployments');
  }
  if (decision.result === AuthorizeResult.ALLOW) return undefined;
  if (decision.result === AuthorizeResult.DENY) return [];
  const refs = await store.listEntityRefs();
  const decisions = refs.length
    ? await permissions.authorize(
        refs.map(resourceRef => ({
          permission: gitopsEntityReadPermission,
          resourceRef,
        })),
        { credentials },
      )
    : [];
  return refs.filter((_, i) => decisions[i].result === AuthorizeResult.ALLOW);
}
