import {
  ApiBlueprint,
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import SyncIcon from '@material-ui/icons/Sync';
import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { GitOpsClient, gitopsApiRef } from './api/GitOpsApi';
import { isGitOpsStatusAvailable } from './isGitOpsAvailable';

const gitopsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: gitopsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new GitOpsClient({ discoveryApi, fetchApi }),
    }),
});

/**
 * The GitOps status card on the overview of entities that carry a GitOps annotation, and of Systems
 * and Groups (the status of their components).
 * @alpha
 */
const gitopsEntityCard = EntityCardBlueprint.make({
  name: 'status',
  params: {
    filter: isGitOpsStatusAvailable,
    loader: () =>
      import('./components/EntityGitOpsCard/EntityGitOpsCard').then(m => (
        <m.EntityGitOpsCard />
      )),
  },
});

/** The "GitOps" tab of entities that carry a GitOps annotation, and of Systems and Groups. @alpha */
const gitopsEntityContent = EntityContentBlueprint.make({
  name: 'objects',
  params: {
    path: '/gitops',
    title: 'GitOps',
    filter: isGitOpsStatusAvailable,
    loader: () =>
      import('./components/EntityGitOpsContent/EntityGitOpsContent').then(m => (
        <m.EntityGitOpsContent />
      )),
  },
});

const deploymentsPageRouteRef = createRouteRef();

/** The org-wide deployments page; its title and icon make the "GitOps" nav item. @alpha */
const gitopsDeploymentsPage = PageBlueprint.make({
  params: {
    path: '/gitops',
    title: 'GitOps',
    icon: <SyncIcon fontSize="inherit" />,
    routeRef: deploymentsPageRouteRef,
    // The page renders its own Header ("GitOps deployments").
    noHeader: true,
    loader: () =>
      import('./components/DeploymentsPage/DeploymentsPage').then(m => (
        <m.DeploymentsPage />
      )),
  },
});

/** The GitOps status plugin for the new frontend system. @alpha */
export default createFrontendPlugin({
  pluginId: 'gitops',
  routes: { deployments: deploymentsPageRouteRef },
  extensions: [
    gitopsApi,
    gitopsEntityCard,
    gitopsEntityContent,
    gitopsDeploymentsPage,
  ],
});
