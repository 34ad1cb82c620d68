/*
 * Deterministic fleets of deployment rows, and rendering the page over the fake API at a URL.
 */
import { useLocation } from 'react-router-dom';
import { screen, type RenderResult } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import type {
  DeploymentRow,
  GitOpsRecord,
} from '@gitops-status/plugin-gitops-common';
import {
  commitRevision,
  minutesAgo,
  record,
  sha,
} from '../../../__testUtils__/factory';
import { gitopsApiRef } from '../../../api/GitOpsApi';
import { DeploymentsPage, type DeploymentsPageProps } from '../DeploymentsPage';
import { fakeGitOpsApi } from './fakeGitOpsApi';

export const CLUSTERS = ['dev', 'staging', 'prod-eu', 'prod-us'];
export const REPO = 'https://github.com/example-org/fleet-infra';

/** Sync, health and compliance that derive each state (docs/status-model.md). */
const STATE_FIELDS: Record<string, Partial<GitOpsRecord>> = {
  ok: {},
  error: { health: 'Degraded', compliance: 'NonCompliant' },
  warning: { sync: 'OutOfSync', compliance: 'Unknown' },
  progressing: { health: 'Progressing', compliance: 'Pending' },
};

export function row(
  over: Partial<GitOpsRecord> = {},
  meta: Partial<Omit<DeploymentRow, 'record'>> = {},
): DeploymentRow {
  return {
    record: record(over),
    entityRefs: ['component:default/podinfo'],
    owners: ['group:default/team-a'],
    systems: ['system:default/shop'],
    ...meta,
  };
}

/**
 * `n` rows over four clusters and both tools: every 7th failing, every 5th out of sync, every
 * 11th progressing; owners alternate between team-a and team-b; three commits of one repository.
 */
export function fleet(n: number): DeploymentRow[] {
  return Array.from({ length: n }, (_, i) => {
    const state =
      (i % 7 === 0 && 'error') ||
      (i % 5 === 0 && 'warning') ||
      (i % 11 === 0 && 'progressing') ||
      'ok';
    const argo = i % 3 === 0;
    return row(
      {
        tool: argo ? 'argocd' : 'flux',
        kind: argo ? 'Application' : 'Kustomization',
        cluster: CLUSTERS[i % 4],
        namespace: `ns-${i % 5}`,
        name: `app-${String(i).padStart(5, '0')}`,
        revision: { ...commitRevision(sha((i % 3) + 1)), repoUrl: REPO },
        lastReconciledAt: minutesAgo(i % 90),
        ...STATE_FIELDS[state],
      },
      {
        entityRefs: [`component:default/app-${i % 10}`],
        owners: [i % 2 ? 'group:default/team-a' : 'group:default/team-b'],
      },
    );
  });
}

/** The query string the app is at, shown for tests to read. */
function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{location.search}</output>;
}

/** The current URL's query, as the page wrote it. */
export function currentParams(): URLSearchParams {
  return new URLSearchParams(screen.getByTestId('location').textContent ?? '');
}

/** Renders the page over a fake API of `rows`, at `url`; polling off unless asked for. */
export async function renderPage(
  rows: DeploymentRow[],
  options: {
    url?: string;
    api?: ReturnType<typeof fakeGitOpsApi>;
  } & DeploymentsPageProps = {},
): Promise<{ api: ReturnType<typeof fakeGitOpsApi> } & RenderResult> {
  const { url = '/gitops', api = fakeGitOpsApi(rows), ...props } = options;
  const result = await renderInTestApp(
    <TestApiProvider apis={[[gitopsApiRef, api]]}>
      <DeploymentsPage pollIntervalMs={0} {...props} />
      <LocationProbe />
    </TestApiProvider>,
    {
      routeEntries: [url],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
  return { api, ...result };
}
