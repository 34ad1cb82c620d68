import {
  ApiBlueprint,
  createFrontendPlugin,
} from '@backstage/frontend-plugin-api';
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

/** The GitOps status plugin for the new frontend system. @alpha */
export default createFrontendPlugin({
  pluginId: 'gitops',
  extensions: [gitopsApi, gitopsEntityCard, gitopsEntityContent],
});
