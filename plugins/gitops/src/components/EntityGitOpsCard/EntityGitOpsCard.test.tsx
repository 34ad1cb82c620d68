import { screen, within } from '@testing-library/react';
import type { GitOpsRecord } from '@gitops-status/plugin-gitops-common';
import {
  commitRevision,
  minutesAgo,
  record,
  renderWithStatus,
  sha,
  statusOf,
  systemEntity,
} from '../../__testUtils__/factory';
import { EntityGitOpsCard } from './EntityGitOpsCard';

const renderCard = (
  status: Parameters<typeof renderWithStatus>[1],
  entity?: Parameters<typeof renderWithStatus>[2],
) => renderWithStatus(<EntityGitOpsCard />, status, entity);

/** Body rows of the per cluster and tool table. */
function statusRows() {
  const table = screen.getByRole('table', {
    name: 'GitOps status per cluster and tool',
  });
  return within(table).getAllByRole('row').slice(1);
}

/** Rows of the environment matrix, as text per cell. */
function environmentRows() {
  const table = screen.getByRole('table', { name: 'Commit per environment' });
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map(r =>
      within(r)
        .getAllByRole('cell')
        .map(c => c.textContent?.replaceAll(', Opens in a new window', '')),
    );
}

const SHA = '2a5fb6b1f4b7e3a7c9d5f1e0b1c2d3e4f5a6b7c8';
const NEW = sha(0x2222);
const OLD = sha(0x1111);

describe('EntityGitOpsCard', () => {
  it('shows Flux and Argo CD side by side per cluster with the linked short commit and reconcile age', async () => {
    await renderCard(
      statusOf([
        record({
          cluster: 'dev',
          revision: {
            applied: `main@sha1:${SHA}`,
            commit: SHA,
            ref: 'main',
            commitUrl: `https://github.com/example-org/apps/commit/${SHA}`,
          },
          lastReconciledAt: minutesAgo(3),
        }),
        record({
          tool: 'argocd',
          kind: 'Application',
          name: 'podinfo-prod',
          cluster: 'prod-eu',
          sync: 'OutOfSync',
        }),
      ]),
    );
    const rows = statusRows();
    expect(rows).toHaveLength(2); // dev/flux + prod-eu/argocd
    const dev = within(rows[0]);
    expect(dev.getByText('dev · Flux')).toBeInTheDocument();
    expect(dev.getByText('In sync')).toBeInTheDocument();
    expect(dev.getByText('3 min ago')).toBeInTheDocument();
    const link = dev.getByRole('link', { name: new RegExp(SHA.slice(0, 8)) });
    expect(link).toHaveAttribute(
      'href',
      `https://github.com/example-org/apps/commit/${SHA}`,
    );
    const prod = within(rows[1]);
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
    [{}, 'In sync'],
    [{ health: 'Degraded', compliance: 'NonCompliant' }, 'Failing'],
    [{ health: 'Progressing', compliance: 'Pending' }, 'Progressing'],
    [{ sync: 'OutOfSync', compliance: 'Unknown' }, 'Out of sync'],
    [
      { suspended: true, health: 'Suspended', compliance: 'Suspended' },
      'Suspended',
    ],
    [{ health: 'Unknown', sync: 'Unknown', compliance: 'Unknown' }, 'Unknown'],
  ] as const)(
    'names the state in words, not colour alone: %j → %s',
    async (over, label) => {
      await renderCard(statusOf([record(over as Partial<GitOpsRecord>)]));
      const words = within(statusRows()[0]).getByText(label);
      expect(words.closest('[aria-hidden="true"]')).toBeNull();
    },
  );

  it('marks data from a failing source as stale with its age', async () => {
    await renderCard(
      statusOf(
        [
          record({
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
    );
    expect(
      within(statusRows()[0]).getByText('stale since 12 min ago'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /dev: cluster dev: list kustomizations: 401 Unauthorized — data from 12 min ago/,
      ),
    ).toBeInTheDocument();
  });

  it('explains which annotation to add when the entity is not linked', async () => {
    await renderCard(
      statusOf([], { emptyReason: 'no-annotation', matchedBy: [] }),
    );
    expect(
      screen.getByText('backstage.io/kubernetes-id', { selector: 'code' }),
    ).toBeInTheDocument();
  });

  it('says when the annotation matches nothing yet', async () => {
    await renderCard(statusOf([], { emptyReason: 'no-matching-objects' }));
    expect(screen.getByText('No GitOps objects found')).toBeInTheDocument();
  });

  it('shows an error panel when the backend fails', async () => {
    await renderCard(new Error('backend exploded'));
    expect(
      screen.getByText('Error: backend exploded', { selector: 'h6' }),
    ).toBeInTheDocument();
  });

  describe('environment matrix', () => {
    /** A Kustomization per cluster running `commits[cluster]`. */
    const fleet = (
      commits: Record<string, string>,
      over: (cluster: string) => Partial<GitOpsRecord> = () => ({}),
    ) =>
      Object.entries(commits).map(([cluster, commit]) =>
        record({ cluster, revision: commitRevision(commit), ...over(cluster) }),
      );

    it('says which environment runs an older commit, from a deployment history that shows both', async () => {
      await renderCard(
        statusOf(
          fleet(
            { dev: NEW, staging: NEW, 'prod-eu': OLD, 'prod-us': OLD },
            cluster =>
              // staging ran OLD before NEW (history is newest first).
              cluster === 'staging'
                ? {
                    history: [
                      { revision: `main@sha1:${NEW}` },
                      { revision: `main@sha1:${OLD}` },
                    ],
                  }
                : {},
          ),
        ),
      );
      expect(environmentRows()).toEqual([
        ['dev', NEW.slice(0, 8), 'dev'],
        ['staging', NEW.slice(0, 8), 'staging'],
        ['prod', OLD.slice(0, 8), 'prod-eu, prod-us'],
      ]);
      expect(
        screen.getByText('prod runs an older commit than dev and staging'),
      ).toBeInTheDocument();
    });

    it('uses when each commit was deployed when no history shows both', async () => {
      await renderCard(
        statusOf(
          fleet({ staging: NEW, 'prod-eu': OLD }, cluster => ({
            tool: 'argocd',
            kind: 'Application',
            history: [
              cluster === 'staging'
                ? { revision: NEW, deployedAt: minutesAgo(60) }
                : { revision: OLD, deployedAt: minutesAgo(3 * 24 * 60) },
            ],
          })),
        ),
      );
      expect(
        screen.getByText('prod runs an older commit than staging'),
      ).toBeInTheDocument();
    });

    it('says two clusters of one environment run different commits', async () => {
      await renderCard(
        statusOf(fleet({ dev: NEW, 'prod-eu': NEW, 'prod-us': OLD })),
      );
      expect(
        screen.getByText('prod-eu and prod-us run different commits'),
      ).toBeInTheDocument();
      const [, prod] = environmentRows();
      expect(prod).toEqual([
        'prod',
        `${NEW.slice(0, 8)} on prod-eu${OLD.slice(0, 8)} on prod-us`,
        'prod-eu, prod-us',
      ]);
    });

    it('only says "different" when nothing tells which commit is older', async () => {
      await renderCard(statusOf(fleet({ dev: NEW, 'prod-eu': OLD })));
      expect(
        screen.getByText('dev and prod run different commits'),
      ).toBeInTheDocument();
      expect(screen.queryByText(/older/)).not.toBeInTheDocument();
    });

    it('says when every environment runs the same commit', async () => {
      await renderCard(
        statusOf(
          fleet({ dev: NEW, staging: NEW, 'prod-eu': NEW, 'prod-us': NEW }),
        ),
      );
      expect(
        screen.getByText('dev, staging and prod run the same commit'),
      ).toBeInTheDocument();
    });

    it('is left out when the clusters carry no environment', async () => {
      await renderCard(
        statusOf(fleet({ dev: NEW, 'prod-eu': OLD }), {
          clusters: [{ name: 'dev' }, { name: 'prod-eu' }],
        }),
      );
      expect(
        screen.queryByRole('table', { name: 'Commit per environment' }),
      ).not.toBeInTheDocument();
    });
  });

  it('on a System page, shows a row per component, cluster and tool, and no environment comparison', async () => {
    await renderCard(
      statusOf(
        [
          record({
            name: 'payments-api',
            entityRefs: ['component:default/payments-api'],
          }),
          record({
            name: 'payments-db',
            health: 'Degraded',
            revision: commitRevision(NEW),
            entityRefs: ['component:default/payments-db'],
          }),
          record({
            cluster: 'prod-eu',
            name: 'payments-api',
            revision: commitRevision(OLD),
            entityRefs: ['component:default/payments-api'],
          }),
        ],
        { entityRef: 'system:default/storefront', matchedBy: [] },
      ),
      systemEntity,
    );
    expect(
      screen.getByRole('columnheader', { name: 'Entity' }),
    ).toBeInTheDocument();
    const [api, apiProd, db] = statusRows();
    expect(within(apiProd).getByText('prod-eu')).toBeInTheDocument();
    // Components may deploy from different repositories: no commit comparison across them.
    expect(
      screen.queryByRole('table', { name: 'Commit per environment' }),
    ).not.toBeInTheDocument();
    expect(
      within(api).getByRole('link', { name: /payments-api/ }),
    ).toHaveAttribute('href', '/catalog/default/component/payments-api');
    expect(within(api).getByText('In sync')).toBeInTheDocument();
    expect(
      within(db).getByRole('link', { name: /payments-db/ }),
    ).toHaveAttribute('href', '/catalog/default/component/payments-db');
    expect(within(db).getByText('Failing')).toBeInTheDocument();
  });

  it('on a System page without GitOps objects, does not ask for an annotation', async () => {
    await renderCard(
      statusOf([], {
        entityRef: 'system:default/storefront',
        emptyReason: 'no-annotation',
        matchedBy: [],
      }),
      systemEntity,
    );
    expect(screen.getByText('No GitOps objects found')).toBeInTheDocument();
    expect(screen.getByText(/No component of this system/)).toBeInTheDocument();
    expect(
      screen.queryByText('backstage.io/kubernetes-id'),
    ).not.toBeInTheDocument();
  });

  it('counts firing alerts and names them; pending ones are not shown as firing', async () => {
    const labels = {
      cluster: 'staging',
      kind: 'HelmRelease',
      namespace: 'ingress-nginx',
      name: 'ingress-nginx',
      tool: 'flux',
    };
    await renderCard(
      statusOf([record({ health: 'Degraded', compliance: 'NonCompliant' })], {
        alerts: [
          {
            id: 'HelmReleaseNotReady:x',
            rule: 'HelmReleaseNotReady',
            severity: 'warning',
            subject: 'x',
            status: 'firing',
            since: minutesAgo(12),
            firedAt: minutesAgo(7),
            summary:
              'HelmRelease ingress-nginx/ingress-nginx on staging is not ready',
            labels,
          },
          {
            id: 'KustomizationNotReady:y',
            rule: 'KustomizationNotReady',
            severity: 'warning',
            subject: 'y',
            status: 'pending',
            since: minutesAgo(1),
            summary: 'pending one',
            labels,
          },
        ],
      }),
    );
    expect(screen.getByText('1 firing alert')).toBeInTheDocument();
    expect(
      screen.getByText(
        'HelmReleaseNotReady (warning): HelmRelease ingress-nginx/ingress-nginx on staging is not ready — since 7 min ago',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/pending one/)).not.toBeInTheDocument();
  });

  it('lists alerts firing in Prometheus or Alertmanager with a link to them', async () => {
    await renderCard(
      statusOf([record({ health: 'Degraded', compliance: 'NonCompliant' })], {
        externalAlerts: [
          {
            id: 'f1',
            endpoint: 'alertmanager',
            origin: 'alertmanager',
            alertname: 'FluxHelmreleaseFailure',
            severity: 'warning',
            summary: 'Flux HelmRelease Failure (instance fleet)',
            since: minutesAgo(3),
            url: 'http://alertmanager.example.com/#/alerts?filter=%7Balertname%3D%22FluxHelmreleaseFailure%22%7D',
            labels: { name: 'podinfo' },
            recordIds: ['flux|dev|podinfo|Kustomization|podinfo'],
          },
        ],
      }),
    );
    expect(screen.getByText('1 firing alert')).toBeInTheDocument();
    // Backstage's Link adds that an external link opens a new window.
    const link = screen.getByRole('link', {
      name: /^FluxHelmreleaseFailure \(warning, alertmanager\): Flux HelmRelease Failure \(instance fleet\)/,
    });
    expect(link).toHaveAttribute(
      'href',
      'http://alertmanager.example.com/#/alerts?filter=%7Balertname%3D%22FluxHelmreleaseFailure%22%7D',
    );
  });
});
