import type { Entity } from '@backstage/catalog-model';
import { hasGitOpsAnnotation } from '@gitops-status/plugin-gitops-common';
import { isAggregateKind } from './components/aggregate';

/** True when the entity carries an annotation that links it to GitOps objects. @public */
export function isGitOpsAvailable(entity: Entity): boolean {
  return hasGitOpsAnnotation(entity);
}

/**
 * True for a System or a Group: their GitOps status is that of the components in the system or
 * owned by the group, so they need no annotation of their own.
 * @public
 */
export function isGitOpsAggregate(entity: Entity): boolean {
  return isAggregateKind(entity.kind);
}

/**
 * Where the GitOps card and tab belong: entities with a GitOps annotation, Systems and Groups.
 * For the legacy frontend system's `EntitySwitch.Case if={…}`.
 * @public
 */
export function isGitOpsStatusAvailable(entity: Entity): boolean {
  return isGitOpsAvailable(entity) || isGitOpsAggregate(entity);
}
