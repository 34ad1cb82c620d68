import { screen, waitFor } from '@testing-library/react';
import { renderTestApp } from '@backstage/frontend-test-utils';
import { createRouteRef, PageBlueprint } from '@backstage/frontend-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import SyncIcon from '@material-ui/icons/Sync';
import { gitopsApiRef } from '../../api/GitOpsApi';
import { fakeGitOpsApi } from './__testUtils__/fakeGitOpsApi';
import { fleet } from './__testUtils__/fleet';

// The page as the new frontend system mounts it (the PageBlueprint of alpha.tsx): its own header
// (noHeader on the blueprint, so there is one h1), its view read from the URL.
it('works as a PageBlueprint loader in the new frontend system', async () => {
  const page = PageBlueprint.make({
    params: {
      path: '/gitops',
      title: 'GitOps',
      icon: <SyncIcon fontSize="inherit" />,
      routeRef: createRouteRef(),
      noHeader: true,
      loader: () =>
        import('./DeploymentsPage').then(m => (
          <m.DeploymentsPage pollIntervalMs={0} />
        )),
    },
  });
  const api = fakeGitOpsApi(fleet(30));
  renderTestApp({
    extensions: [page],
    initialRouteEntries: ['/gitops?state=error'],
    apis: [[gitopsApiRef, api]],
    mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
  });
  expect(await screen.findByRole('heading', { level: 1 })).toHaveTextContent(
    'GitOps deployments',
  );
  expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1);
  await waitFor(() =>
    expect(api.calls.getDeployments[0].filter).toEqual({ state: ['error'] }),
  );
  expect(
    await screen.findByRole('table', { name: 'GitOps objects' }),
  ).toBeInTheDocument();
});
