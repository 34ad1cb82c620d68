import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { GitOpsClient, gitopsApiRef } from './api/GitOpsApi';
import type { DeploymentsPageProps } from './components/DeploymentsPage/DeploymentsPage';

/** @public */
export const rootRouteRef = createRouteRef({ id: 'gitops' });

/** Route of the org-wide deployments page. @public */
export const deploymentsRouteRef = createRouteRef({ id: 'gitops:deployments' });

/** The GitOps status frontend plugin (legacy frontend system). @public */
export const gitopsPlugin = createPlugin({
  id: 'gitops',
  apis: [
    createApiFactory({
      api: gitopsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new GitOpsClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef, deployments: deploymentsRouteRef },
});

/** @public */
export const EntityGitOpsCard: () => JSX.Element = gitopsPlugin.provide(
  createComponentExtension({
    name: 'EntityGitOpsCard',
    component: {
      lazy: () =>
        import('./components/EntityGitOpsCard/EntityGitOpsCard').then(
          m => m.EntityGitOpsCard,
        ),
    },
  }),
);

/** @public */
export const EntityGitOpsContent: () => JSX.Element | null =
  gitopsPlugin.provide(
    createRoutableExtension({
      name: 'EntityGitOpsContent',
      component: () =>
        import('./components/EntityGitOpsContent/EntityGitOpsContent').then(
          m => m.EntityGitOpsContent,
        ),
      mountPoint: rootRouteRef,
    }),
  );

/** The org-wide GitOps deployments page (legacy frontend system). @public */
export const GitOpsDeploymentsPage: (
  props: DeploymentsPageProps,
) => JSX.Element = gitopsPlugin.provide(
  createRoutableExtension({
    name: 'GitOpsDeploymentsPage',
    component: () =>
      import('./components/DeploymentsPage/DeploymentsPage').then(
        m => m.DeploymentsPage,
      ),
    mountPoint: deploymentsRouteRef,
  }),
);
