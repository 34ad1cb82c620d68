import type { Entity } from '@backstage/catalog-model';
import { hasGitOpsAnnotation } from '@gitops-status/plugin-gitops-common';

/** True when the entity carries an annotation that links it to GitOps objects. @public */
export function isGitOpsAvailable(entity: Entity): boolean {
  return hasGitOpsAnnotation(entity);
}
