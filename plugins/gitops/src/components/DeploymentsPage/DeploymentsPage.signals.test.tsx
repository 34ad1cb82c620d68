import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { signalApiRef, type SignalApi } from '@backstage/plugin-signals-react';
import { act, waitFor } from '@testing-library/react';
import { gitopsApiRef } from '../../api/GitOpsApi';
import { DeploymentsPage } from './DeploymentsPage';
import { fakeGitOpsApi } from './__testUtils__/fakeGitOpsApi';
import { fleet } from './__testUtils__/fleet';

describe('DeploymentsPage live updates', () => {
  it('refetches when the backend signals that records changed', async () => {
    const api = fakeGitOpsApi(fleet(30));
    const listeners = new Map<string, (m: any) => void>();
    const signals: SignalApi = {
      subscribe: (channel, onMessage) => {
        listeners.set(channel, onMessage);
        return { unsubscribe: () => listeners.delete(channel) };
      },
    };
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [gitopsApiRef, api],
          [signalApiRef, signals],
        ]}
      >
        {/* A poll so slow it cannot explain a refetch within the test. */}
        <DeploymentsPage pollIntervalMs={3_600_000} />
      </TestApiProvider>,
      {
        routeEntries: ['/gitops'],
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      },
    );
    await waitFor(() =>
      expect(api.calls.getDeployments.length).toBeGreaterThan(0),
    );
    const before = api.calls.getDeployments.length;
    expect(listeners.has('gitops:records')).toBe(true);
    act(() =>
      listeners.get('gitops:records')!({ at: new Date().toISOString() }),
    );
    await waitFor(() =>
      expect(api.calls.getDeployments.length).toBeGreaterThan(before),
    );
  });
});
