import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
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
import { EntityGitOpsContent } from './EntityGitOpsContent';

const renderTab = (
  status: Parameters<typeof renderWithStatus>[1],
  entity?: Parameters<typeof renderWithStatus>[2],
) => renderWithStatus(<EntityGitOpsContent />, status, entity);

/** The body rows of the objects table of one cluster and tool. */
function objectRows(tableName: string) {
  const table = screen.getByRole('table', { name: tableName });
  return within(table).getAllByRole('row').slice(1);
}

/** The cell of one object (by namespace/name) under a column heading, as a person scans the table. */
function cellOf(objectName: string, column: string) {
  const row = screen.getByRole('cell', { name: objectName }).closest('tr')!;
  const table = row.closest('table')!;
  const headers = within(table)
    .getAllByRole('columnheader')
    .map(h => h.textContent);
  return within(row).getAllByRole('cell')[headers.indexOf(column)];
}

function rowOf(name: string) {
  const cell = screen.getByRole('cell', { name });
  return within(cell.closest('tr')!);
}

async function openDetail(label: string) {
  const button = screen.getByRole('button', { name: `Details of ${label}` });
  expect(button).toHaveAttribute('aria-expanded', 'false');
  await userEvent.click(button);
  expect(button).toHaveAttribute('aria-expanded', 'true');
  const detail = document.getElementById(
    button.getAttribute('aria-controls')!,
  )!;
  expect(detail).toBeInTheDocument();
  return within(detail);
}

describe('EntityGitOpsContent', () => {
  it('names every state in words, next to its icon', async () => {
    // Sync, health and compliance per state, as docs/status-model.md derives them.
    const objects: Array<[string, Partial<GitOpsRecord>, string]> = [
      ['ok', {}, 'In sync'],
      [
        'progressing',
        { health: 'Progressing', compliance: 'Pending' },
        'Progressing',
      ],
      ['warning', { sync: 'OutOfSync', compliance: 'Unknown' }, 'Out of sync'],
      ['error', { health: 'Degraded', compliance: 'NonCompliant' }, 'Failing'],
      [
        'suspended',
        { suspended: true, health: 'Suspended', compliance: 'Suspended' },
        'Suspended',
      ],
      [
        'unknown',
        { sync: 'Unknown', health: 'Unknown', compliance: 'Unknown' },
        'Unknown',
      ],
    ];
    await renderTab(
      statusOf(objects.map(([name, over]) => record({ name, ...over }))),
    );
    for (const [name, , words] of objects) {
      const state = cellOf(`podinfo/${name}`, 'State');
      expect(state).toHaveTextContent(words);
      // The words reach screen readers too: not inside an aria-hidden element.
      expect(
        within(state).getByText(words).closest('[aria-hidden="true"]'),
      ).toBeNull();
    }
  });

  it('shows a section per cluster and tool, Flux and Argo CD side by side, with each object’s columns', async () => {
    const applied = sha(0xa1);
    const attempted = sha(0xb2);
    await renderTab(
      statusOf([
        record({
          cluster: 'dev',
          name: 'podinfo',
          revision: {
            ...commitRevision(applied),
            attempted: `main@sha1:${attempted}`,
          },
          health: 'Progressing',
          compliance: 'Pending',
          reason: 'Progressing',
          message: 'Reconciliation in progress',
          lastReconciledAt: minutesAgo(3),
        }),
        record({ cluster: 'dev', kind: 'HelmRelease', name: 'podinfo-chart' }),
        record({
          cluster: 'prod-eu',
          tool: 'argocd',
          kind: 'Application',
          namespace: 'argocd',
          name: 'podinfo-prod',
          sync: 'OutOfSync',
        }),
      ]),
    );
    expect(
      screen.getByRole('heading', { name: 'dev · Flux' }),
    ).toBeInTheDocument();
    expect(screen.getByText('dev environment · 2 objects')).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: 'prod-eu · Argo CD' }),
    ).toBeInTheDocument();
    expect(screen.getByText('prod environment · 1 object')).toBeInTheDocument();
    expect(objectRows('Flux objects on dev')).toHaveLength(2);
    const [argo] = objectRows('Argo CD objects on prod-eu');
    expect(within(argo).getByText('argocd/podinfo-prod')).toBeInTheDocument();
    expect(within(argo).getByText('Application')).toBeInTheDocument();
    expect(cellOf('argocd/podinfo-prod', 'Sync')).toHaveTextContent(
      'OutOfSync',
    );
    expect(cellOf('argocd/podinfo-prod', 'State')).toHaveTextContent(
      'Out of sync',
    );

    const dev = rowOf('podinfo/podinfo');
    const cell = (column: string) => cellOf('podinfo/podinfo', column);
    expect(cell('Kind')).toHaveTextContent('Kustomization');
    expect(cell('State')).toHaveTextContent('Progressing');
    expect(cell('Sync')).toHaveTextContent('Synced');
    expect(cell('Health')).toHaveTextContent('Progressing');
    expect(cell('Compliance')).toHaveTextContent('Pending');
    expect(cell('Reconciled')).toHaveTextContent('3 min ago');
    expect(cell('Message')).toHaveTextContent(
      'Progressing: Reconciliation in progress',
    );
    expect(cell('Revision')).toHaveTextContent(
      new RegExp(
        `^${applied.slice(0, 8)}.*attempting ${attempted.slice(0, 8)}`,
      ),
    );
    // The applied commit, and the one being attempted, both linked to the repository.
    expect(
      dev.getByRole('link', { name: new RegExp(`^${applied.slice(0, 8)}`) }),
    ).toHaveAttribute(
      'href',
      `https://github.com/example-org/fleet-infra/commit/${applied}`,
    );
    expect(
      dev.getByRole('link', { name: new RegExp(`^${attempted.slice(0, 8)}`) }),
    ).toHaveAttribute(
      'href',
      `https://github.com/example-org/fleet-infra/commit/${attempted}`,
    );
  });

  it('cuts a very long message and expands it on request', async () => {
    const message = `Helm upgrade failed: ${'error: resource mapping not found; '.repeat(
      30,
    )}end of message`;
    await renderTab(
      statusOf([
        record({
          kind: 'HelmRelease',
          health: 'Degraded',
          reason: 'UpgradeFailed',
          message,
        }),
      ]),
    );
    const row = rowOf('podinfo/podinfo');
    expect(row.queryByText(/end of message/)).not.toBeInTheDocument();
    const more = row.getByRole('button', { name: 'Show full message' });
    expect(more).toHaveAttribute('aria-expanded', 'false');
    await userEvent.click(more);
    expect(row.getByText(/end of message/)).toBeInTheDocument();
    expect(row.getByRole('button', { name: 'Show less' })).toHaveAttribute(
      'aria-expanded',
      'true',
    );
  });

  it('marks stale records and lists the health of every source', async () => {
    await renderTab(
      statusOf(
        [
          record({
            cluster: 'dev',
            lastReconciledAt: minutesAgo(20),
            stale: { since: minutesAgo(12), message: 'cluster dev: 401' },
          }),
          record({ cluster: 'staging', lastReconciledAt: minutesAgo(1) }),
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
            {
              id: 'kubernetes:staging',
              type: 'kubernetes',
              target: 'staging',
              status: 'ok',
              lastSuccessAt: minutesAgo(1),
            },
          ],
        },
      ),
    );
    const [dev] = objectRows('Flux objects on dev');
    expect(within(dev).getByText('stale since 12 min ago')).toBeInTheDocument();
    const [staging] = objectRows('Flux objects on staging');
    expect(within(staging).queryByText(/stale/)).not.toBeInTheDocument();

    const sources = within(
      screen.getByRole('table', { name: 'Source health' }),
    );
    const [, failing, ok] = sources.getAllByRole('row');
    expect(within(failing).getByText('Error')).toBeInTheDocument();
    expect(
      within(failing).getByText(
        'cluster dev: list kustomizations: 401 Unauthorized',
      ),
    ).toBeInTheDocument();
    expect(within(failing).getByText('12 min ago')).toBeInTheDocument();
    expect(within(ok).getByText('OK')).toBeInTheDocument();
    expect(within(ok).getByText('1 min ago')).toBeInTheDocument();
  });

  it('filters by cluster, tool and state, with the count each choice shows', async () => {
    await renderTab(
      statusOf([
        record({ cluster: 'dev', name: 'a' }),
        record({ cluster: 'dev', name: 'b', health: 'Degraded' }),
        record({
          cluster: 'dev',
          tool: 'argocd',
          kind: 'Application',
          name: 'c',
        }),
        record({ cluster: 'staging', name: 'd' }),
        record({ cluster: 'staging', name: 'e', health: 'Degraded' }),
        record({ cluster: 'prod-eu', name: 'f' }),
      ]),
    );
    const cluster = screen.getByRole('combobox', { name: 'Cluster' });
    const tool = screen.getByRole('combobox', { name: 'Tool' });
    const state = screen.getByRole('combobox', { name: 'State' });
    const options = (select: HTMLElement) =>
      within(select)
        .getAllByRole('option')
        .map(o => o.textContent);

    expect(options(cluster)).toEqual([
      'All clusters (6)',
      'dev (3)',
      'prod-eu (1)',
      'staging (2)',
    ]);
    expect(options(tool)).toEqual(['All tools (6)', 'Argo CD (1)', 'Flux (5)']);
    expect(options(state)).toEqual([
      'All states (6)',
      'Failing (2)',
      'In sync (4)',
    ]);

    await userEvent.selectOptions(cluster, 'dev');
    expect(screen.getByText('Showing 3 of 6 objects')).toBeInTheDocument();
    expect(objectRows('Flux objects on dev')).toHaveLength(2);
    expect(objectRows('Argo CD objects on dev')).toHaveLength(1);
    expect(
      screen.queryByRole('table', { name: 'Flux objects on staging' }),
    ).not.toBeInTheDocument();
    // The other filters now count within dev.
    expect(options(state)).toEqual([
      'All states (3)',
      'Failing (1)',
      'In sync (2)',
    ]);

    await userEvent.selectOptions(tool, 'flux');
    await userEvent.selectOptions(state, 'error');
    expect(screen.getByText('Showing 1 of 6 objects')).toBeInTheDocument();
    const [only] = objectRows('Flux objects on dev');
    expect(within(only).getByText('podinfo/b')).toBeInTheDocument();
    expect(options(cluster)).toEqual([
      'All clusters (2)',
      'dev (1)',
      'prod-eu (0)',
      'staging (1)',
    ]);

    await userEvent.selectOptions(cluster, '');
    expect(screen.getByText('Showing 2 of 6 objects')).toBeInTheDocument();
    expect(objectRows('Flux objects on staging')).toHaveLength(1);
  });

  it('shows the dependsOn chain in order and names the dependency that is not ready', async () => {
    const ref = (namespace: string, name: string) => ({
      kind: 'Kustomization' as const,
      namespace,
      name,
    });
    const chain = (cluster: string, dbHealth: GitOpsRecord['health']) => [
      record({
        cluster,
        namespace: 'payments',
        name: 'payments-api',
        health: 'Progressing',
        compliance: 'Pending',
        reason: 'DependencyNotReady',
        message: "dependency 'payments/payments-db' is not ready",
        dependsOn: [ref('payments', 'payments-db'), ref('infra', 'redis')],
      }),
      record({
        cluster,
        namespace: 'payments',
        name: 'payments-db',
        health: dbHealth,
        dependsOn: [ref('infra', 'cert-manager')],
      }),
      record({ cluster, namespace: 'infra', name: 'cert-manager' }),
    ];
    await renderTab(
      // payments-db is healthy on dev: the lookup must stay on the object's own cluster.
      statusOf([...chain('dev', 'Healthy'), ...chain('staging', 'Degraded')]),
    );
    await userEvent.selectOptions(
      screen.getByRole('combobox', { name: 'Cluster' }),
      'staging',
    );
    const detail = await openDetail('Kustomization payments/payments-api');
    expect(
      detail.getByText('Not ready: payments/payments-db (Failing).'),
    ).toBeInTheDocument();
    const steps = within(
      detail.getByRole('list', {
        name: 'Dependency chain of payments/payments-api',
      }),
    ).getAllByRole('listitem');
    expect(steps.map(s => s.textContent)).toEqual([
      'Kustomization infra/cert-manager In sync (needed by payments/payments-db)',
      'Kustomization payments/payments-db Failing — not ready',
      'Kustomization infra/redis not found',
      'Kustomization payments/payments-api (this object)',
    ]);
  });

  it('says when every dependency is ready', async () => {
    await renderTab(
      statusOf([
        record({
          name: 'app',
          dependsOn: [
            { kind: 'Kustomization', namespace: 'podinfo', name: 'db' },
          ],
        }),
        record({ name: 'db' }),
      ]),
    );
    const detail = await openDetail('Kustomization podinfo/app');
    expect(detail.getByText('All dependencies are ready.')).toBeInTheDocument();
  });

  it('shows an Argo CD application’s conditions, last operation, history, disagreements and https links only', async () => {
    const newer = sha(0xc3);
    const older = sha(0xd4);
    await renderTab(
      statusOf([
        record({
          tool: 'argocd',
          kind: 'Application',
          cluster: 'prod-eu',
          namespace: 'argocd',
          name: 'guestbook',
          sync: 'OutOfSync',
          health: 'Progressing',
          instance: 'main',
          project: 'default',
          sources: ['kubernetes', 'argocd-api'],
          conditions: [
            {
              type: 'SyncError',
              status: 'True',
              reason: 'ComparisonError',
              message: 'rpc error: repository not accessible',
              lastTransitionTime: minutesAgo(5),
            },
          ],
          operation: {
            phase: 'Running',
            message:
              'waiting for healthy state of apps/Deployment/guestbook-ui',
            startedAt: minutesAgo(2),
          },
          history: [
            { revision: newer, deployedAt: minutesAgo(60) },
            { revision: older, deployedAt: minutesAgo(2 * 24 * 60) },
          ],
          disagreements: [
            'health: kubernetes says Progressing, argocd-api says Healthy',
          ],
          links: [
            {
              type: 'argocd',
              title: 'Open in Argo CD',
              url: 'https://argocd.example.com/applications/argocd/guestbook',
            },
            {
              type: 'commit',
              title: 'Plain http commit',
              url: `http://github.com/example-org/guestbook/commit/${newer}`,
            },
            {
              type: 'repository',
              title: 'Script repository',
              // eslint-disable-next-line no-script-url -- a URL that must never become a link
              url: 'javascript:alert(1)',
            },
          ],
        }),
      ]),
    );
    const detail = await openDetail('Application argocd/guestbook');

    const conditions = within(
      detail.getByRole('table', {
        name: 'Conditions of Application argocd/guestbook',
      }),
    );
    const [, condition] = conditions.getAllByRole('row');
    expect(
      within(condition)
        .getAllByRole('cell')
        .map(c => c.textContent),
    ).toEqual([
      'SyncError',
      'True',
      'ComparisonError',
      'rpc error: repository not accessible',
      '5 min ago',
    ]);

    expect(detail.getByText('Running')).toBeInTheDocument();
    expect(
      detail.getByText(
        'waiting for healthy state of apps/Deployment/guestbook-ui',
      ),
    ).toBeInTheDocument();
    expect(detail.getByText('2 min ago')).toBeInTheDocument();
    expect(detail.getByText('not yet')).toBeInTheDocument();

    const history = within(
      detail.getByRole('table', {
        name: 'Deployment history of Application argocd/guestbook',
      }),
    );
    expect(
      history
        .getAllByRole('row')
        .slice(1)
        .map(r => r.textContent),
    ).toEqual([`${newer}1 h ago`, `${older}2 d ago`]);

    expect(
      detail.getByText(
        'health: kubernetes says Progressing, argocd-api says Healthy',
      ),
    ).toBeInTheDocument();
    expect(detail.getByText('kubernetes, argocd-api')).toBeInTheDocument();
    expect(detail.getByText('main')).toBeInTheDocument();

    expect(
      detail.getByRole('link', { name: /^Open in Argo CD/ }),
    ).toHaveAttribute(
      'href',
      'https://argocd.example.com/applications/argocd/guestbook',
    );
    expect(detail.getAllByRole('link')).toHaveLength(1);
    expect(detail.queryByText('Plain http commit')).not.toBeInTheDocument();
    expect(detail.queryByText('Script repository')).not.toBeInTheDocument();
  });

  it('on a System page, shows the component each object belongs to', async () => {
    await renderTab(
      statusOf(
        [
          record({
            namespace: 'payments',
            name: 'payments-api',
            entityRefs: ['component:default/payments-api'],
          }),
          record({
            namespace: 'payments',
            name: 'payments-db',
            entityRefs: [
              'component:default/payments-db',
              'component:default/payments-api',
            ],
          }),
        ],
        { entityRef: 'system:default/storefront', matchedBy: [] },
      ),
      systemEntity,
    );
    const table = screen.getByRole('table', { name: 'Flux objects on dev' });
    expect(
      within(table).getByRole('columnheader', { name: 'Entity' }),
    ).toBeInTheDocument();
    const api = rowOf('payments/payments-api');
    expect(api.getByRole('link', { name: /payments-api/ })).toHaveAttribute(
      'href',
      '/catalog/default/component/payments-api',
    );
    const db = rowOf('payments/payments-db');
    expect(db.getAllByRole('link').map(l => l.getAttribute('href'))).toEqual([
      '/catalog/default/component/payments-db',
      '/catalog/default/component/payments-api',
    ]);
  });

  it('renders an entity with 500 objects', async () => {
    const clusters = ['dev', 'staging', 'prod-eu', 'prod-us'];
    const records = Array.from({ length: 500 }, (_, i) =>
      record({
        cluster: clusters[i % 4],
        tool: i % 5 === 0 ? 'argocd' : 'flux',
        kind: i % 5 === 0 ? 'Application' : 'Kustomization',
        namespace: `team-${i % 7}`,
        name: `app-${i}`,
        revision: commitRevision(sha(i + 1)),
        lastReconciledAt: minutesAgo(i % 60),
        message: `Applied revision: main@sha1:${sha(i + 1)}`,
      }),
    );
    await renderTab(statusOf(records));
    const rows = screen
      .getAllByRole('table')
      .filter(t => / objects on /.test(t.getAttribute('aria-label') ?? ''))
      .flatMap(t => within(t).getAllByRole('row').slice(1));
    expect(rows).toHaveLength(500);
    expect(screen.getByText('500 objects')).toBeInTheDocument();
  }, 60_000);

  it('shows the first 100 objects of a large section and the rest on request', async () => {
    await renderTab(
      statusOf(
        Array.from({ length: 130 }, (_, i) =>
          record({ name: `app-${String(i).padStart(3, '0')}` }),
        ),
      ),
    );
    expect(objectRows('Flux objects on dev')).toHaveLength(100);
    await userEvent.click(
      screen.getByRole('button', { name: 'Show 30 more objects' }),
    );
    expect(objectRows('Flux objects on dev')).toHaveLength(130);
    expect(
      screen.queryByRole('button', { name: /more objects/ }),
    ).not.toBeInTheDocument();
  });

  it('explains the annotation to add when the entity is not linked', async () => {
    await renderTab(
      statusOf([], { emptyReason: 'no-annotation', matchedBy: [] }),
    );
    expect(
      screen.getByText('backstage.io/kubernetes-id', { selector: 'code' }),
    ).toBeInTheDocument();
    expect(screen.queryByText('GitOps objects')).not.toBeInTheDocument();
  });

  it('says when nothing matches the annotation yet', async () => {
    await renderTab(statusOf([], { emptyReason: 'no-matching-objects' }));
    expect(screen.getByText('No GitOps objects found')).toBeInTheDocument();
  });

  it('shows an error panel when the backend fails', async () => {
    await renderTab(new Error('backend exploded'));
    expect(
      screen.getByText('Error: backend exploded', { selector: 'h6' }),
    ).toBeInTheDocument();
  });
});
