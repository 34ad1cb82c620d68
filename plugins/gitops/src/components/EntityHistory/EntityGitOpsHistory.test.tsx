import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  deploymentsFromEvents,
  shortRevision,
  type HistoryEvent,
} from '@gitops-status/plugin-gitops-common';
import {
  minutesAgo,
  renderWithStatus,
  sha,
  statusOf,
} from '../../__testUtils__/factory';
import { EntityGitOpsHistory } from './EntityGitOpsHistory';

let id = 0;
function event(over: Partial<HistoryEvent>): HistoryEvent {
  id++;
  return {
    id: String(id),
    recordId: `flux|${over.cluster ?? 'dev'}|podinfo|Kustomization|podinfo`,
    tool: 'flux',
    cluster: 'dev',
    namespace: 'podinfo',
    kind: 'Kustomization',
    name: 'podinfo',
    event: 'transition',
    at: minutesAgo(0),
    state: 'ok',
    sync: 'Synced',
    health: 'Healthy',
    compliance: 'Compliant',
    ...over,
  };
}

const NEW = sha(2);
const OLD = sha(1);
const before = {
  state: 'ok' as const,
  sync: 'Synced' as const,
  health: 'Healthy' as const,
  compliance: 'Compliant' as const,
  revision: `main@sha1:${OLD}`,
  commit: OLD,
};
// dev: applied 30 min ago, ready 27 min ago; prod: applied 10 min ago, still progressing.
const EVENTS = [
  event({
    event: 'deployed',
    at: minutesAgo(30),
    revision: `main@sha1:${NEW}`,
    commit: NEW,
    state: 'progressing',
    health: 'Progressing',
    previous: before,
  }),
  event({
    at: minutesAgo(27),
    revision: `main@sha1:${NEW}`,
    commit: NEW,
    previous: {
      ...before,
      state: 'progressing',
      health: 'Progressing',
      revision: `main@sha1:${NEW}`,
      commit: NEW,
    },
  }),
  event({
    cluster: 'prod',
    event: 'deployed',
    at: minutesAgo(10),
    revision: `main@sha1:${NEW}`,
    commit: NEW,
    state: 'error',
    health: 'Degraded',
    message: 'HealthCheckFailed: timeout',
    previous: before,
  }),
];

function renderHistory(pages: HistoryEvent[][] = [[...EVENTS].reverse()]) {
  const calls: Array<string | undefined> = [];
  return {
    calls,
    view: renderWithStatus(<EntityGitOpsHistory />, statusOf([]), undefined, {
      getEntityHistory: async (_ref, req) => {
        calls.push(req?.before);
        const page = req?.before ? Number(req.before) : 0;
        return {
          entityRef: 'component:default/podinfo',
          events: pages[page],
          nextCursor: page + 1 < pages.length ? String(page + 1) : undefined,
          // What the backend computes from the same events (the pure function it uses).
          deployments: deploymentsFromEvents(EVENTS),
          retentionDays: 90,
        };
      },
      getAlerts: async () => ({
        alerts: [],
        events: [
          {
            id: 2,
            alertId: 'a',
            rule: 'KustomizationNotReady',
            severity: 'warning',
            transition: 'resolved',
            at: minutesAgo(5),
            summary: 'podinfo on prod is not ready',
          },
          {
            id: 1,
            alertId: 'a',
            rule: 'KustomizationNotReady',
            severity: 'warning',
            transition: 'fired',
            at: minutesAgo(8),
            summary: 'podinfo on prod is not ready',
          },
        ],
      }),
    }),
  };
}

describe('EntityGitOpsHistory', () => {
  it('shows each deployment with where it went and how long it took to be ready', async () => {
    await renderHistory().view;
    const table = await screen.findByRole('table', { name: 'Deployments' });
    const [row] = within(table).getAllByRole('row').slice(1);
    expect(row).toHaveTextContent(shortRevision(NEW));
    expect(row).toHaveTextContent('30 min ago');
    // prod is not ready, so the deployment as a whole is not.
    expect(row).toHaveTextContent('1 of 2 not ready');
    expect(row).toHaveTextContent(
      'dev: Kustomization podinfo/podinfo — ready in 3 min',
    );
    expect(row).toHaveTextContent(
      'prod: Kustomization podinfo/podinfo — not ready yet',
    );
  });

  it('lists alert transitions and changes, newest first, with what changed', async () => {
    await renderHistory().view;
    const alerts = await screen.findByRole('table', { name: 'Alert history' });
    const alertRows = within(alerts).getAllByRole('row').slice(1);
    expect(alertRows.map(r => r.textContent)).toEqual([
      expect.stringContaining('Resolved'),
      expect.stringContaining('Fired'),
    ]);
    const changes = screen.getByRole('table', { name: 'Changes' });
    const rows = within(changes).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('prod: Kustomization podinfo/podinfo');
    expect(rows[0]).toHaveTextContent(
      `revision ${shortRevision(OLD)} → ${shortRevision(
        NEW,
      )}, health Healthy → Degraded, In sync → Failing`,
    );
    expect(rows[0]).toHaveTextContent('HealthCheckFailed: timeout');
    expect(rows[1]).toHaveTextContent(
      'health Progressing → Healthy, Progressing → In sync',
    );
  });

  it('loads older changes page by page until there are none', async () => {
    const pages = [[EVENTS[2]], [EVENTS[1]], [EVENTS[0]]];
    const { calls, view } = renderHistory(pages);
    await view;
    const changes = await screen.findByRole('table', { name: 'Changes' });
    expect(within(changes).getAllByRole('row')).toHaveLength(2);
    await userEvent.click(
      screen.getByRole('button', { name: 'Show older changes' }),
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Show older changes' }),
    );
    expect(within(changes).getAllByRole('row')).toHaveLength(4);
    expect(calls).toEqual([undefined, '1', '2']);
    expect(
      screen.queryByRole('button', { name: 'Show older changes' }),
    ).toBeNull();
  });

  it('says when nothing was recorded yet', async () => {
    await renderWithStatus(<EntityGitOpsHistory />, statusOf([]));
    expect(
      await screen.findByText(/No deployment seen yet/),
    ).toBeInTheDocument();
    expect(screen.getByText('No alert has fired.')).toBeInTheDocument();
    expect(screen.getByText('No change recorded.')).toBeInTheDocument();
  });
});
