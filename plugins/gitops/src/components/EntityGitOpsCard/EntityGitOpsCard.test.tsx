import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen, within } from '@testing-library/react';
import {
  deriveState,
  summarize,
  type EntityStatusResponse,
  type GitOpsRecord,
} from '@gitops-status/plugin-gitops-common';
import { gitopsApiRef, type GitOpsApi } from '../../api/GitOpsApi';
import { EntityGitOpsCard } from './EntityGitOpsCard';

const NOW = Date.now();
const minutesAgo = (m: number) => new Date(NOW - m * 60_000).toISOString();

function rec(o: Partial<GitOpsRecord>): GitOpsRecord {
  const r = {
    tool: 'flux',
    cluster: 'dev',
    namespace: 'podinfo',
    kind: 'Kustomization',
    name: 'podinfo',
    sync: 'Synced',
    health: 'Healthy',
    compliance: 'Compliant',
    suspended: false,
    revision: {},
    conditions: [],
    dependsOn: [],
    labels: {},
    sources: ['kubernetes'],
    observedAt: minutesAgo(0),
    links: [],
    ...o,
  } as GitOpsRecord;
  return { ...r, state: deriveState(r) };
}

function response(
  records: GitOpsRecord[],
  extra: Partial<EntityStatusResponse> = {},
): EntityStatusResponse {
  return {
    entityRef: 'component:default/podinfo',
    records,
    summary: summarize(records),
    sources: [],
    matchedBy: ['backstage.io/kubernetes-id'],
    clusters: [
      { name: 'dev', environment: 'dev' },
      { name: 'prod-eu', environment: 'prod' },
    ],
    ...extra,
  };
}

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'podinfo',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'podinfo' },
  },
  spec: {},
};

async function renderCard(api: Partial<GitOpsApi>) {
  return renderInTestApp(
    <TestApiProvider apis={[[gitopsApiRef, api]]}>
      <EntityProvider entity={entity}>
        <EntityGitOpsCard />
      </EntityProvider>
    </TestApiProvider>,
  );
}

const SHA = '2a5fb6b1f4b7e3a7c9d5f1e0b1c2d3e4f5a6b7c8';

describe('EntityGitOpsCard', () => {
  it('shows Flux and Argo CD side by side per cluster with the linked short commit and reconcile age', async () => {
    await renderCard({
      getEntityStatus: async () =>
        response([
          rec({
            cluster: 'dev',
            revision: {
              applied: `main@sha1:${SHA}`,
              commit: SHA,
              ref: 'main',
              commitUrl: `https://github.com/example-org/apps/commit/${SHA}`,
            },
            lastReconciledAt: minutesAgo(3),
          }),
          rec({
            tool: 'argocd',
            kind: 'Application',
            name: 'podinfo-prod',
            cluster: 'prod-eu',
            sync: 'OutOfSync',
          }),
        ]),
    });
    const rows = screen.getAllByRole('row');
    expect(rows).toHaveLength(3); // header + dev/flux + prod-eu/argocd
    const dev = within(rows[1]);
    expect(dev.getByText('dev · Flux')).toBeInTheDocument();
    expect(dev.getByText('In sync')).toBeInTheDocument();
    expect(dev.getByText('3 min ago')).toBeInTheDocument();
    const link = dev.getByRole('link', { name: new RegExp(SHA.slice(0, 8)) });
    expect(link).toHaveAttribute(
      'href',
      `https://github.com/example-org/apps/commit/${SHA}`,
    );
    const prod = within(rows[2]);
    expect(prod.getByText('prod · Argo CD')).toBeInTheDocument();
    expect(prod.getByText('Out of sync')).toBeInTheDocument();
    expect(
      prod.getByText('OutOfSync · Healthy · Compliant'),
    ).toBeInTheDocument();
    // The summary counts the object that needs attention.
    expect(
      screen.getByText(/1 of 2 objects need attention/),
    ).toBeInTheDocument();
  });

  it.each([
    [{ health: 'Degraded', compliance: 'NonCompliant' }, 'Failing'],
    [{ health: 'Progressing', compliance: 'Pending' }, 'Progressing'],
    [
      { suspended: true, health: 'Suspended', compliance: 'Suspended' },
      'Suspended',
    ],
    [{ health: 'Unknown', sync: 'Unknown', compliance: 'Unknown' }, 'Unknown'],
  ] as const)(
    'names the state in words, not colour alone: %j → %s',
    async (over, label) => {
      await renderCard({
        getEntityStatus: async () =>
          response([rec(over as Partial<GitOpsRecord>)]),
      });
      expect(
        within(screen.getAllByRole('row')[1]).getByText(label),
      ).toBeInTheDocument();
    },
  );

  it('marks data from a failing source as stale with its age', async () => {
    await renderCard({
      getEntityStatus: async () =>
        response(
          [
            rec({
              stale: { since: minutesAgo(12), message: 'cluster dev: 401' },
            }),
          ],
          {
            sources: [
              {
                id: 'kubernetes:dev',
                type: 'kubernetes',
                target: 'dev',
                status: 'error',
                message: 'cluster dev: list kustomizations: 401 Unauthorized',
                lastSuccessAt: minutesAgo(12),
              },
            ],
          },
        ),
    });
    expect(screen.getByText('stale since 12 min ago')).toBeInTheDocument();
    expect(
      screen.getByText(
        /dev: cluster dev: list kustomizations: 401 Unauthorized — data from 12 min ago/,
      ),
    ).toBeInTheDocument();
  });

  it('explains which annotation to add when the entity is not linked', async () => {
    await renderCard({
      getEntityStatus: async () =>
        response([], { emptyReason: 'no-annotation', matchedBy: [] }),
    });
    expect(
      screen.getByText('backstage.io/kubernetes-id', { selector: 'code' }),
    ).toBeInTheDocument();
  });

  it('says when the annotation matches nothing yet', async () => {
    await renderCard({
      getEntityStatus: async () =>
        response([], { emptyReason: 'no-matching-objects' }),
    });
    expect(screen.getByText('No GitOps objects found')).toBeInTheDocument();
  });

  it('shows an error panel when the backend fails', async () => {
    await renderCard({
      getEntityStatus: async () => {
        throw new Error('backend exploded');
      },
    });
    expect(
      screen.getByText('Error: backend exploded', { selector: 'h6' }),
    ).toBeInTheDocument();
  });
});
