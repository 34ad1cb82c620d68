import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { GitOpsSource } from './source';

/** @public */
export interface GitOpsSourcesExtensionPoint {
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
