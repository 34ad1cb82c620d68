import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { GitOpsSource } from './source';

/**
 * What backend modules use to add sources to the `gitops` plugin.
 * @public
 */
export interface GitOpsSourcesExtensionPoint {
  /** Adds sources; each collects in every collection session, isolated from the others. */
  addSource(...sources: GitOpsSource[]): void;
}

/**
 * Lets backend modules add GitOps sources to the `gitops` backend plugin.
 * @public
 */
export const gitopsSourcesExtensionPoint =
  createExtensionPoint<GitOpsSourcesExtensionPoint>({
    id: 'gitops.sources',
  });
