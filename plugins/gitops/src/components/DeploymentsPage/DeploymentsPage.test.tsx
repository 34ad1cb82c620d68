import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ResponseError } from '@backstage/errors';
import type {
  DeploymentRow,
  DeploymentsFilter,
  GitOpsState,
} from '@gitops-status/plugin-gitops-common';
import { sha } from '../../__testUtils__/factory';
import type { DeploymentsRequest } from '../../api/GitOpsApi';
import { stateLabel } from '../StateLabel/StateLabel';
import {
  deploymentsOf,
  facetsOf,
  fakeGitOpsApi,
  matches,
  pageRequests,
  traceOf,
} from './__testUtils__/fakeGitOpsApi';
import {
  CLUSTERS,
  currentParams,
  fleet,
  REPO,
  renderPage,
  row,
} from './__testUtils__/fleet';

/**
 * The objects table. Plain DOM queries in these helpers: role queries over a page of 50 rows
 * are slow in jsdom, and the helpers run inside waitFor loops. Roles are checked elsewhere.
 */
function objectsTable(): HTMLTableElement {
  const table = document.querySelector<HTMLTableElement>(
    'table[aria-label="GitOps objects"]',
  );
  if (!table) throw new Error('No objects table');
  return table;
}

/** The body rows of the objects table. */
function tableRows() {
  return [...objectsTable().tBodies[0].rows];
}

/** The text of one column of the shown rows, by heading. */
function column(heading: string): string[] {
  const headers = [...objectsTable().tHead!.rows[0].cells].map(
    h => h.textContent,
  );
  const i = headers.indexOf(heading);
  expect(i).toBeGreaterThanOrEqual(0);
  return tableRows().map(r => r.cells[i].textContent!);
}

const names = (rows: DeploymentRow[]) => rows.map(r => r.record.name);

/** What the server would show for a request: the expectation, from the array. */
function expectedNames(
  rows: DeploymentRow[],
  request: Parameters<typeof deploymentsOf>[1],
) {
  return names(deploymentsOf(rows, request).items);
}

function lastPageRequest(api: ReturnType<typeof fakeGitOpsApi>) {
  const requests = pageRequests(api);
  return requests[requests.length - 1];
}

/** Opens a facet select, picks one value by its text with count, and closes the menu. */
async function choose(field: string, option: string) {
  await userEvent.click(screen.getByTestId(`filter-${field}`));
  await userEvent.click(await screen.findByRole('option', { name: option }));
  await userEvent.keyboard('{Escape}');
  await waitFor(() => expect(screen.queryByRole('listbox')).toBeNull());
}

function countOf(
  rows: DeploymentRow[],
  filter: DeploymentsFilter,
  facet: keyof ReturnType<typeof facetsOf>,
  value: string,
) {
  return facetsOf(rows, filter)[facet].find(f => f.value === value)?.count;
}

// Each test renders the whole page (MUI, a 13-column table) in jsdom: slower than the default 5 s.
jest.setTimeout(30_000);

describe('DeploymentsPage', () => {
  it('shows one page of objects, its count and the facet counts', async () => {
    const rows = fleet(30);
    await renderPage(rows);
    expect(
      screen.getByRole('heading', { level: 1, name: 'GitOps deployments' }),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(column('Name')).toEqual(expectedNames(rows, { limit: 50 })),
    );
    expect(screen.getByTestId('deployments-count')).toHaveTextContent(
      '30 objects',
    );
    expect(
      screen.getByRole('table', { name: 'GitOps objects' }),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByTestId('filter-cluster'));
    const options = within(screen.getByRole('listbox')).getAllByRole('option');
    expect(options.map(o => o.textContent)).toEqual(
      facetsOf(rows, {}).cluster.map(f => `${f.value} (${f.count})`),
    );
    await userEvent.keyboard('{Escape}');

    // Owners are entity refs, shown humanized.
    await userEvent.click(screen.getByTestId('filter-owner'));
    expect(
      within(screen.getByRole('listbox'))
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual(
      facetsOf(rows, {}).owner.map(
        f => `${f.value.replace('group:default/', '')} (${f.count})`,
      ),
    );
    await userEvent.keyboard('{Escape}');
  });

  it('filters by state and owner: the request, the URL, the rows and the chips follow', async () => {
    const rows = fleet(60);
    const { api } = await renderPage(rows);
    await waitFor(() => expect(tableRows()).toHaveLength(50));

    const failing = countOf(rows, {}, 'state', 'error');
    await choose('state', `Failing (${failing})`);
    await waitFor(() =>
      expect(lastPageRequest(api).filter).toEqual({ state: ['error'] }),
    );
    expect(currentParams().getAll('state')).toEqual(['error']);

    // The owner counts are under the state filter.
    const teamA = countOf(
      rows,
      { state: ['error'] },
      'owner',
      'group:default/team-a',
    );
    await choose('owner', `team-a (${teamA})`);
    const filter = { state: ['error'], owner: ['group:default/team-a'] };
    await waitFor(() => expect(lastPageRequest(api).filter).toEqual(filter));
    expect(currentParams().getAll('owner')).toEqual(['group:default/team-a']);
    expect(currentParams().get('page')).toBeNull();

    expect(rows.filter(r => matches(r, filter)).length).toBeGreaterThan(0);
    await waitFor(() =>
      expect(column('Name')).toEqual(expectedNames(rows, { filter })),
    );
    for (const state of column('State')) expect(state).toBe('Failing');

    // Chips remove one filter; "Clear filters" all.
    await userEvent.click(
      screen.getByRole('button', { name: 'Remove filter State: Failing' }),
    );
    await waitFor(() =>
      expect(lastPageRequest(api).filter).toEqual({
        owner: ['group:default/team-a'],
      }),
    );
    expect(currentParams().getAll('state')).toEqual([]);
    await userEvent.click(
      screen.getByRole('button', { name: 'Clear filters' }),
    );
    await waitFor(() => expect(lastPageRequest(api).filter).toEqual({}));
    expect(currentParams().toString()).toBe('');
  });

  it('restores filters, sort, page and page size from the URL', async () => {
    const rows = fleet(400);
    const { api } = await renderPage(rows, {
      url: '/gitops?state=ok&cluster=dev&sort=name&order=desc&page=2&size=25',
    });
    const request: DeploymentsRequest = {
      filter: { cluster: ['dev'], state: ['ok'] },
      sort: 'name',
      order: 'desc',
      offset: 25,
      limit: 25,
    };
    await waitFor(() => expect(pageRequests(api)[0]).toEqual(request));
    await waitFor(() =>
      expect(column('Name')).toEqual(expectedNames(rows, request)),
    );
    expect(screen.getByTestId('filter-state')).toHaveTextContent('In sync');
    expect(screen.getByTestId('filter-cluster')).toHaveTextContent('dev');
    expect(
      screen.getByRole('button', { name: 'Remove filter Cluster: dev' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('columnheader', { name: 'Name' })).toHaveAttribute(
      'aria-sort',
      'descending',
    );
    const total = rows.filter(r => matches(r, request.filter!)).length;
    expect(screen.getByTestId('deployments-count')).toHaveTextContent(
      `Showing 26–50 of ${total} objects`,
    );
  });

  it('pages on the server: the next page asks for offset page × size', async () => {
    const rows = fleet(120);
    const { api } = await renderPage(rows);
    await waitFor(() => expect(tableRows()).toHaveLength(50));

    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() =>
      expect(lastPageRequest(api)).toMatchObject({ offset: 50, limit: 50 }),
    );
    expect(currentParams().get('page')).toBe('2');
    await waitFor(() =>
      expect(column('Name')).toEqual(
        expectedNames(rows, { offset: 50, limit: 50 }),
      ),
    );

    // A smaller page keeps the first row on screen: row 51 is on page 3 of 25.
    await userEvent.click(
      screen.getByRole('button', { name: /Objects per page/ }),
    );
    await userEvent.click(await screen.findByRole('option', { name: '25' }));
    await waitFor(() =>
      expect(lastPageRequest(api)).toMatchObject({ offset: 50, limit: 25 }),
    );
    expect(currentParams().get('page')).toBe('3');
    expect(currentParams().get('size')).toBe('25');
  });

  it('sorts on the server by the column header buttons', async () => {
    const rows = fleet(120);
    const { api } = await renderPage(rows);
    await waitFor(() => expect(tableRows()).toHaveLength(50));

    await userEvent.click(screen.getByRole('button', { name: 'Name' }));
    await waitFor(() =>
      expect(lastPageRequest(api)).toMatchObject({
        sort: 'name',
        order: 'asc',
        offset: 0,
      }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Name' }));
    await waitFor(() =>
      expect(lastPageRequest(api)).toMatchObject({
        sort: 'name',
        order: 'desc',
      }),
    );
    expect(currentParams().get('sort')).toBe('name');
    expect(currentParams().get('order')).toBe('desc');
    await waitFor(() =>
      expect(column('Name')).toEqual(
        expectedNames(rows, { sort: 'name', order: 'desc', limit: 50 }),
      ),
    );
    expect(screen.getByRole('columnheader', { name: 'Name' })).toHaveAttribute(
      'aria-sort',
      'descending',
    );
    // Columns the server cannot sort by have no button.
    expect(screen.queryByRole('button', { name: 'Owner' })).toBeNull();
  });

  it('searches (debounced) and filters by commit prefix', async () => {
    const rows = fleet(60);
    const { api } = await renderPage(rows);
    await waitFor(() => expect(tableRows()).toHaveLength(50));

    await userEvent.type(
      screen.getByRole('searchbox', { name: 'Search' }),
      'app-0001',
    );
    await waitFor(() =>
      expect(lastPageRequest(api).filter).toEqual({ q: 'app-0001' }),
    );
    // One request for the whole word, not one per key.
    expect(pageRequests(api).filter(r => r.filter?.q)).toHaveLength(1);
    expect(currentParams().get('q')).toBe('app-0001');
    expect(screen.getByRole('searchbox', { name: 'Search' })).toHaveValue(
      'app-0001',
    );
    await waitFor(() =>
      expect(column('Name')).toEqual(
        expectedNames(rows, { filter: { q: 'app-0001' } }),
      ),
    );

    const commitField = screen.getByRole('textbox', { name: 'Commit prefix' });
    await userEvent.type(commitField, 'xyz');
    expect(
      await screen.findByText(/Hexadecimal characters only/),
    ).toBeInTheDocument();
    await userEvent.clear(commitField);
    await userEvent.type(commitField, sha(3).slice(0, 8));
    await waitFor(() =>
      expect(lastPageRequest(api).filter).toEqual({
        q: 'app-0001',
        commit: sha(3).slice(0, 8),
      }),
    );
    expect(pageRequests(api).some(r => r.filter?.commit?.includes('x'))).toBe(
      false,
    );
  });

  it('traces a commit from a revision in the table, per cluster, and keeps it in the URL', async () => {
    const target = sha(2);
    const attempting = CLUSTERS.slice(0, 2).map((cluster, i) =>
      row({
        cluster,
        name: `upgrading-${i}`,
        health: 'Degraded',
        compliance: 'NonCompliant',
        revision: {
          applied: `main@sha1:${sha(1)}`,
          commit: sha(1),
          attempted: `main@sha1:${target}`,
          repoUrl: REPO,
        },
      }),
    );
    const rows = [...fleet(24), ...attempting];
    const { api } = await renderPage(rows, { url: '/gitops?sort=name' });
    await waitFor(() => expect(tableRows()).toHaveLength(26));

    const button = screen.getAllByRole('button', {
      name: `Trace commit ${target.slice(0, 8)}`,
    })[0];
    await userEvent.click(button);
    expect(currentParams().get('trace')).toBe(target);
    await waitFor(() => expect(api.calls.traceCommit).toEqual([target]));
    const heading = await screen.findByRole('heading', {
      name: /Where is commit/,
    });
    expect(heading).toHaveFocus();
    expect(await screen.findByTestId('trace-resolved')).toHaveTextContent(
      target,
    );

    const trace = traceOf(rows, target);
    expect(trace.attempting).toHaveLength(2);
    const table = screen.getByRole('table', {
      name: `Where commit ${target.slice(0, 8)} is, per cluster`,
    });
    const shownClusters = within(table)
      .getAllByTestId('trace-cluster')
      .map(r => r.getAttribute('data-cluster'));
    const clusters = [
      ...new Set(
        [...trace.applied, ...trace.attempting, ...trace.behind].map(
          r => r.record.cluster,
        ),
      ),
    ].sort();
    expect(shownClusters).toEqual(clusters);
    for (const cluster of clusters) {
      const tr = within(table)
        .getAllByTestId('trace-cluster')
        .find(r => r.getAttribute('data-cluster') === cluster)!;
      for (const relation of ['applied', 'attempting', 'behind'] as const) {
        const n = trace[relation].filter(
          r => r.record.cluster === cluster,
        ).length;
        expect(within(tr).getByTestId(`trace-${relation}`)).toHaveAttribute(
          'data-count',
          String(n),
        );
      }
    }
    const appliedClusters = [
      ...new Set(trace.applied.map(r => r.record.cluster)),
    ];
    expect(screen.getByTestId('trace-summary-applied')).toHaveTextContent(
      `Applied on ${trace.applied.length} objects in ${appliedClusters.length} clusters`,
    );
    for (const r of trace.attempting) {
      expect(
        within(table).getByText(
          `Kustomization ${r.record.namespace}/${r.record.name} (Flux)`,
        ),
      ).toBeInTheDocument();
    }

    await userEvent.click(
      screen.getByRole('button', { name: 'Close commit trace' }),
    );
    expect(currentParams().get('trace')).toBeNull();
    expect(screen.queryByTestId('commit-trace')).toBeNull();
  });

  it('opens a commit trace from the URL and from the form', async () => {
    const rows = fleet(24);
    const { api } = await renderPage(rows, {
      url: `/gitops?trace=${sha(3).slice(0, 8)}`,
    });
    expect(await screen.findByTestId('trace-resolved')).toHaveTextContent(
      sha(3),
    );
    expect(api.calls.traceCommit).toEqual([sha(3).slice(0, 8)]);

    const input = screen.getByRole('textbox', { name: 'Commit sha or prefix' });
    expect(input).toHaveValue(sha(3).slice(0, 8));
    await userEvent.clear(input);
    await userEvent.type(input, 'not-a-sha');
    await userEvent.click(screen.getByRole('button', { name: 'Trace commit' }));
    expect(
      screen.getByText('Enter 4 to 64 hexadecimal characters (0-9, a-f)'),
    ).toBeInTheDocument();
    expect(currentParams().get('trace')).toBe(sha(3).slice(0, 8));

    await userEvent.clear(input);
    await userEvent.type(input, `${sha(1).toUpperCase()}{Enter}`);
    expect(currentParams().get('trace')).toBe(sha(1));
    expect(await screen.findByTestId('trace-resolved')).toHaveTextContent(
      sha(1),
    );
  });

  it('exports the current view as CSV, every page, with escaping', async () => {
    const rows = fleet(1100);
    // Text a spreadsheet must not split or run.
    rows[1].record.name = 'say "hi", ok';
    rows[1].record.namespace = '=cmd';
    let blob: Blob | undefined;
    const create = jest.fn((b: Blob) => {
      blob = b;
      return 'blob:csv';
    });
    const revoke = jest.fn();
    Object.assign(URL, { createObjectURL: create, revokeObjectURL: revoke });
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(() => {});
    try {
      const { api } = await renderPage(rows, { url: '/gitops?tool=flux' });
      await waitFor(() => expect(tableRows()).toHaveLength(50));
      await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
      await waitFor(() => expect(create).toHaveBeenCalled());
      expect(click).toHaveBeenCalled();

      const flux = rows.filter(r => r.record.tool === 'flux');
      const exports = api.calls.getDeployments.filter(r => r.limit === 500);
      expect(exports.map(r => r.offset)).toEqual([0, 500]);
      for (const r of exports) expect(r.filter).toEqual({ tool: ['flux'] });

      const text = await blob!.text();
      expect(blob!.type).toMatch(/^text\/csv/);
      const lines = text.split('\r\n');
      expect(lines[0]).toBe(
        'Entity,Owner,Tool,Cluster,Namespace,Kind,Name,State,Sync,Health,Compliance,Revision,Commit,Attempting,Last reconciled',
      );
      expect(lines).toHaveLength(flux.length + 2); // header, rows, trailing CRLF
      const first = flux[0].record;
      expect(flux[0]).toBe(rows[1]);
      expect(lines).toContain(
        [
          'component:default/app-1',
          'group:default/team-a',
          'Flux',
          first.cluster,
          "'=cmd",
          'Kustomization',
          '"say ""hi"", ok"',
          stateLabel(first.state),
          first.sync,
          first.health,
          first.compliance,
          first.revision.applied,
          first.revision.commit,
          '',
          first.lastReconciledAt,
        ].join(','),
      );
      expect(screen.getByTestId('export-status')).toHaveTextContent(
        `Exported ${flux.length} objects.`,
      );
    } finally {
      click.mockRestore();
    }
  });

  it('caps an export, and says so', async () => {
    const rows = fleet(1100);
    Object.assign(URL, {
      createObjectURL: jest.fn(() => 'blob:csv'),
      revokeObjectURL: jest.fn(),
    });
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(() => {});
    try {
      const { api } = await renderPage(rows, { exportLimit: 600 });
      await waitFor(() => expect(tableRows()).toHaveLength(50));
      await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
      expect(await screen.findByTestId('export-status')).toHaveTextContent(
        'Exported the first 600 of 1,100 objects.',
      );
      expect(
        api.calls.getDeployments
          .filter(r => (r.offset ?? 0) >= 0 && r.limit !== 1 && r.limit !== 50)
          .map(r => [r.offset, r.limit]),
      ).toEqual([
        [0, 500],
        [500, 100],
      ]);
    } finally {
      click.mockRestore();
    }
  });

  it('charts objects by state per cluster and per tool, counts in words', async () => {
    const rows = fleet(90);
    await renderPage(rows);
    const chart = await screen.findByTestId('state-chart');
    const text = (subset: DeploymentRow[]) => {
      const order: GitOpsState[] = [
        'error',
        'warning',
        'progressing',
        'unknown',
        'suspended',
        'ok',
      ];
      const parts = order
        .map(s => [s, subset.filter(r => r.record.state === s).length] as const)
        .filter(([, n]) => n > 0)
        .map(([s, n]) => `${n} ${stateLabel(s)}`);
      return `${subset.length} objects: ${parts.join(', ')}`;
    };
    await waitFor(() =>
      expect(within(chart).getByTestId('chart-row-all')).toHaveTextContent(
        text(rows),
      ),
    );
    for (const cluster of CLUSTERS) {
      expect(
        within(chart).getByTestId(`chart-row-${cluster}`),
      ).toHaveTextContent(text(rows.filter(r => r.record.cluster === cluster)));
    }

    await userEvent.click(
      within(chart).getByRole('radio', { name: 'Per tool' }),
    );
    expect(currentParams().get('by')).toBe('tool');
    await waitFor(() =>
      expect(within(chart).getByTestId('chart-row-argocd')).toHaveTextContent(
        text(rows.filter(r => r.record.tool === 'argocd')),
      ),
    );
    expect(within(chart).getByTestId('chart-row-flux')).toHaveTextContent(
      text(rows.filter(r => r.record.tool === 'flux')),
    );
  });

  it('charts only what the filters keep', async () => {
    const rows = fleet(90);
    const { api } = await renderPage(rows, {
      url: '/gitops?state=error&cluster=dev&cluster=prod-eu',
    });
    const chart = await screen.findByTestId('state-chart');
    const failing = (cluster: string) =>
      rows.filter(
        r => r.record.cluster === cluster && r.record.state === 'error',
      ).length;
    await waitFor(() =>
      expect(within(chart).getByTestId('chart-row-dev')).toHaveTextContent(
        `${failing('dev')} objects: ${failing('dev')} Failing`,
      ),
    );
    expect(within(chart).getByTestId('chart-row-prod-eu')).toHaveTextContent(
      `${failing('prod-eu')} objects: ${failing('prod-eu')} Failing`,
    );
    expect(within(chart).queryByTestId('chart-row-staging')).toBeNull();
    // The chart is drawn from the page's own answer: no request of its own.
    expect(api.calls.getDeployments.filter(r => r.limit === 1)).toEqual([]);
  });

  it('asks once per state for the chart when the backend does not count states', async () => {
    const rows = fleet(90);
    const api = fakeGitOpsApi(rows, { stateCounts: false });
    await renderPage(rows, {
      api,
      url: '/gitops?state=error&state=ok&cluster=dev&cluster=prod-eu',
    });
    const chart = await screen.findByTestId('state-chart');
    const count = (cluster: string, state: GitOpsState) =>
      rows.filter(r => r.record.cluster === cluster && r.record.state === state)
        .length;
    const words = (cluster: string) => {
      const failing = count(cluster, 'error');
      const ok = count(cluster, 'ok');
      const parts = [
        ...(failing ? [`${failing} ${stateLabel('error')}`] : []),
        ...(ok ? [`${ok} ${stateLabel('ok')}`] : []),
      ];
      return `${failing + ok} objects: ${parts.join(', ')}`;
    };
    await waitFor(() =>
      expect(within(chart).getByTestId('chart-row-dev')).toHaveTextContent(
        words('dev'),
      ),
    );
    expect(within(chart).getByTestId('chart-row-prod-eu')).toHaveTextContent(
      words('prod-eu'),
    );
    // One facet-only request per state the filter keeps.
    expect(
      api.calls.getDeployments
        .filter(r => r.limit === 1)
        .map(r => r.filter?.state),
    ).toEqual([['ok'], ['error']]);
  });

  it('says when no object matches, and clears the filters from there', async () => {
    const rows = fleet(30);
    const { api } = await renderPage(rows, { url: '/gitops?q=nothing-here' });
    expect(
      await screen.findByText('No objects match these filters'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('table', { name: 'GitOps objects' })).toBeNull();
    const buttons = screen.getAllByRole('button', { name: 'Clear filters' });
    await userEvent.click(buttons[buttons.length - 1]);
    await waitFor(() => expect(tableRows()).toHaveLength(30));
    expect(lastPageRequest(api).filter).toEqual({});
  });

  it('shows an error panel when the backend fails', async () => {
    const api = fakeGitOpsApi(fleet(10));
    api.fail = new Error('Backend unreachable');
    await renderPage([], { api });
    expect(
      (await screen.findAllByText(/Backend unreachable/)).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByRole('table', { name: 'GitOps objects' })).toBeNull();
  });

  it('explains a refused read as a permission decision', async () => {
    const api = fakeGitOpsApi(fleet(10));
    api.fail = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: {
            name: 'NotAllowedError',
            message: 'Not allowed to read GitOps deployments',
          },
          response: { statusCode: 403 },
        }),
        { status: 403, headers: { 'Content-Type': 'application/json' } },
      ) as any,
    );
    await renderPage([], { api });
    expect(
      (await screen.findAllByText(/You may not see this/)).length,
    ).toBeGreaterThan(0);
    expect(
      screen.getAllByText(
        /Not allowed to read GitOps deployments\. A permission policy decides/,
      ).length,
    ).toBeGreaterThan(0);
  });

  it('renders only one page of 10,000 objects', async () => {
    const rows = fleet(10_000);
    const { api } = await renderPage(rows);
    await waitFor(() =>
      expect(screen.getByTestId('deployments-count')).toHaveTextContent(
        'Showing 1–50 of 10,000 objects',
      ),
    );
    expect(tableRows()).toHaveLength(50);
    expect(screen.getAllByTestId('deployment-row')).toHaveLength(50);
    // Entity and owner link to their catalog pages, named as people write them.
    const [first] = tableRows();
    const links = [...first.querySelectorAll('a')].slice(0, 2);
    const expected = deploymentsOf(rows, { limit: 50 }).items[0];
    const name = (ref: string) => ref.split('/')[1];
    expect(links.map(a => [a.textContent, a.getAttribute('href')])).toEqual([
      [
        name(expected.entityRefs[0]),
        `/catalog/default/component/${name(expected.entityRefs[0])}`,
      ],
      [
        name(expected.owners[0]),
        `/catalog/default/group/${name(expected.owners[0])}`,
      ],
    ]);
    expect(column('Name')).toEqual(expectedNames(rows, { limit: 50 }));
    for (const r of pageRequests(api)) expect(r.limit).toBe(50);
  });

  it('keeps the rows shown while the next page loads', async () => {
    const rows = fleet(120);
    const api = fakeGitOpsApi(rows);
    const answer = api.getDeployments;
    let release: () => void = () => {};
    api.getDeployments = async request => {
      if ((request.offset ?? 0) > 0) {
        await new Promise<void>(resolve => {
          release = resolve;
        });
      }
      return answer(request);
    };
    await renderPage(rows, { api });
    await waitFor(() => expect(tableRows()).toHaveLength(50));
    const firstPage = column('Name');

    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(
      screen.getByRole('table', { name: 'GitOps objects' }),
    ).toHaveAttribute('aria-busy', 'true');
    expect(column('Name')).toEqual(firstPage);
    expect(
      screen.queryByRole('progressbar', { name: 'Loading objects' }),
    ).not.toBeNull();

    await act(async () => release());
    await waitFor(() =>
      expect(column('Name')).toEqual(
        expectedNames(rows, { offset: 50, limit: 50 }),
      ),
    );
    expect(
      screen.getByRole('table', { name: 'GitOps objects' }),
    ).toHaveAttribute('aria-busy', 'false');
  });

  it('refreshes by itself while the tab is visible, on the same page', async () => {
    const rows = fleet(120);
    const { api } = await renderPage(rows, {
      url: '/gitops?page=2',
      pollIntervalMs: 100,
    });
    await waitFor(() => expect(tableRows()).toHaveLength(50));
    await waitFor(
      () =>
        expect(
          pageRequests(api).filter(r => r.offset === 50).length,
        ).toBeGreaterThanOrEqual(3),
      { timeout: 2000 },
    );
    expect(pageRequests(api).every(r => r.offset === 50)).toBe(true);
    expect(currentParams().get('page')).toBe('2');
    expect(tableRows()).toHaveLength(50);

    const visibility = jest
      .spyOn(document, 'visibilityState', 'get')
      .mockReturnValue('hidden');
    try {
      act(() => {
        document.dispatchEvent(new Event('visibilitychange'));
      });
      const before = pageRequests(api).length;
      await act(() => new Promise(resolve => setTimeout(resolve, 350)));
      expect(pageRequests(api).length).toBe(before);

      visibility.mockReturnValue('visible');
      act(() => {
        document.dispatchEvent(new Event('visibilitychange'));
      });
      await waitFor(() =>
        expect(pageRequests(api).length).toBeGreaterThan(before),
      );
    } finally {
      visibility.mockRestore();
    }
  });

  it('goes to the last page when the URL points past the end', async () => {
    const rows = fleet(60);
    const { api } = await renderPage(rows, { url: '/gitops?page=9' });
    await waitFor(() => expect(currentParams().get('page')).toBe('2'));
    await waitFor(() => expect(tableRows()).toHaveLength(10));
    expect(lastPageRequest(api)).toMatchObject({ offset: 50 });
  });
});
