import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import {
  Content,
  EmptyState,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { GitOpsErrorPanel } from '../GitOpsErrorPanel';
import type {
  DeploymentsFilter,
  DeploymentSortField,
} from '@gitops-status/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import IconButton from '@material-ui/core/IconButton';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import GetAppIcon from '@material-ui/icons/GetApp';
import RefreshIcon from '@material-ui/icons/Refresh';
import { gitopsApiRef, type DeploymentsRequest } from '../../api/GitOpsApi';
import {
  chartFromStateCounts,
  loadStateChart,
  stateCountsOf,
} from './chartData';
import { CommitTraceForm, CommitTraceSection } from './CommitTrace';
import {
  downloadText,
  EXPORT_LIMIT,
  exportFilename,
  fetchAllRows,
  toCsv,
} from './csv';
import { DeploymentFilters } from './DeploymentFilters';
import { DeploymentsTable } from './DeploymentsTable';
import { useLiveTick, useRefreshingAsync } from './hooks';
import {
  filterKey,
  hasFilter,
  parseView,
  TRACE_PATTERN,
  viewToParams,
  type ChartGrouping,
  type DeploymentsView as View,
} from './query';
import { StateChart } from './StateChart';

/** Live refresh period. */
export const POLL_INTERVAL_MS = 15_000;

/** @public */
export interface DeploymentsPageProps {
  /** Live refresh period; 0 turns polling off. */
  pollIntervalMs?: number;
  /** Rows one CSV export fetches at most. */
  exportLimit?: number;
}

const useStyles = makeStyles(theme => ({
  section: { padding: theme.spacing(2) },
  toolbar: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(2),
  },
  grow: { flexGrow: 1 },
}));

/** "Showing 51–100 of 10,000 objects" */
function countText(offset: number, shown: number, total: number): string {
  const n = (x: number) => x.toLocaleString('en-US');
  if (total === 0) return 'No objects';
  if (shown === total)
    return `${n(total)} ${total === 1 ? 'object' : 'objects'}`;
  return `Showing ${n(offset + 1)}–${n(offset + shown)} of ${n(total)} objects`;
}

/**
 * The view's state lives in the URL: every change is a navigation, so reload, back and shared
 * links show the same view.
 */
function useViewInUrl() {
  const [params, setParams] = useSearchParams();
  const search = params.toString();
  const view = useMemo(() => parseView(new URLSearchParams(search)), [search]);
  const update = useCallback(
    (patch: Partial<View>, options?: { replace?: boolean }) => {
      setParams(
        viewToParams({ ...view, ...patch }, new URLSearchParams(search)),
        {
          replace: options?.replace,
        },
      );
    },
    [view, search, setParams],
  );
  return [view, update] as const;
}

function useCsvExport(
  request: Pick<DeploymentsRequest, 'filter' | 'sort' | 'order'>,
  limit: number,
) {
  const api = useApi(gitopsApiRef);
  const [progress, setProgress] = useState<{
    fetched: number;
    total: number;
  }>();
  const [note, setNote] = useState<string>();
  const [error, setError] = useState<Error>();
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );
  const run = async () => {
    setProgress({ fetched: 0, total: 0 });
    setNote(undefined);
    setError(undefined);
    try {
      const { rows, totalItems } = await fetchAllRows(api, request, {
        limit,
        onProgress: (fetched, total) => {
          if (mounted.current) setProgress({ fetched, total });
        },
      });
      if (!mounted.current) return;
      downloadText(toCsv(rows), exportFilename(), 'text/csv;charset=utf-8');
      setNote(
        totalItems > rows.length
          ? `Exported the first ${rows.length.toLocaleString(
              'en-US',
            )} of ${totalItems.toLocaleString('en-US')} objects.`
          : `Exported ${rows.length.toLocaleString('en-US')} objects.`,
      );
    } catch (e) {
      if (mounted.current)
        setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      if (mounted.current) setProgress(undefined);
    }
  };
  return { run, progress, note, error };
}

/**
 * The deployments view without the page frame: filters, commit trace, chart and table. Every
 * request goes to the server, which filters, sorts, pages and counts: one page of rows is fetched
 * and rendered whatever the fleet's size.
 */
export function DeploymentsView(props: DeploymentsPageProps) {
  const { pollIntervalMs = POLL_INTERVAL_MS, exportLimit = EXPORT_LIMIT } =
    props;
  const api = useApi(gitopsApiRef);
  const classes = useStyles();
  const [view, update] = useViewInUrl();
  const [manualRefresh, setManualRefresh] = useState(0);
  const [traceFocus, setTraceFocus] = useState(0);
  const tick = useLiveTick(pollIntervalMs) + manualRefresh;

  const offset = view.page * view.pageSize;
  const request: DeploymentsRequest = useMemo(
    () => ({
      filter: view.filter,
      sort: view.sort,
      order: view.order,
      offset,
      limit: view.pageSize,
    }),
    [view.filter, view.sort, view.order, offset, view.pageSize],
  );
  const requestKey = `${filterKey(view.filter)}|${view.sort}|${
    view.order
  }|${offset}|${view.pageSize}`;
  const page = useRefreshingAsync(requestKey, tick, () =>
    api.getDeployments(request),
  );
  const chartKey = `${filterKey(view.filter)}|${view.chartBy}`;
  // The chart comes with the table's answer when the backend counts states; otherwise (an older
  // backend, known once the first answer is in) it asks once per state.
  const pageCounts = stateCountsOf(page.value);
  const chartRequests = useRefreshingAsync(
    page.value && !pageCounts ? chartKey : undefined,
    tick,
    () => loadStateChart(api, view.filter, view.chartBy),
  );
  const countedChart = useMemo(
    () =>
      pageCounts ? chartFromStateCounts(pageCounts, view.chartBy) : undefined,
    [pageCounts, view.chartBy],
  );
  const chart = pageCounts
    ? { value: countedChart, error: undefined, errorKey: undefined }
    : chartRequests;
  const traceKey =
    view.trace && TRACE_PATTERN.test(view.trace) ? view.trace : undefined;
  const trace = useRefreshingAsync(traceKey, tick, () =>
    api.traceCommit(traceKey!),
  );
  const csv = useCsvExport(request, exportLimit);

  const current = page.valueKey === requestKey ? page.value : undefined;
  // A page past the end (a shared link to page 40 of what is now 3 pages): go to the last one.
  useEffect(() => {
    if (
      current &&
      current.items.length === 0 &&
      current.totalItems > 0 &&
      view.page > 0
    ) {
      update(
        {
          page: Math.max(0, Math.ceil(current.totalItems / view.pageSize) - 1),
        },
        { replace: true },
      );
    }
  }, [current, view.page, view.pageSize, update]);

  const setFilter = (filter: DeploymentsFilter) => update({ filter, page: 0 });
  // Stable, so table rows that did not change skip rendering.
  const updateRef = useRef(update);
  updateRef.current = update;
  const openTrace = useCallback((commit: string) => {
    setTraceFocus(f => f + 1);
    updateRef.current({ trace: commit.toLocaleLowerCase('en-US') });
  }, []);

  const pageError =
    page.error && page.errorKey === requestKey ? page.error : undefined;
  // Rows of another request stay up while the next one loads; not after it failed.
  const shown = pageError ? current : page.value;
  const facets = page.value?.facets;

  let objects;
  if (!shown && pageError) objects = null;
  else if (!shown) objects = <Progress />;
  else if (shown.totalItems === 0) {
    objects = (
      <EmptyState
        missing="data"
        title={
          hasFilter(view.filter)
            ? 'No objects match these filters'
            : 'No GitOps objects yet'
        }
        description={
          hasFilter(view.filter)
            ? 'Remove a filter or clear them all to see more objects.'
            : 'No cluster or Argo CD instance has reported a Flux or Argo CD object you may see.'
        }
        action={
          hasFilter(view.filter) ? (
            <Button
              variant="contained"
              color="primary"
              onClick={() => setFilter({})}
            >
              Clear filters
            </Button>
          ) : undefined
        }
      />
    );
  } else {
    objects = (
      <DeploymentsTable
        rows={shown.items}
        total={shown.totalItems}
        page={view.page}
        pageSize={view.pageSize}
        sort={view.sort}
        order={view.order}
        loading={page.loading}
        onSort={(sort: DeploymentSortField, order) =>
          update({ sort, order, page: 0 })
        }
        onPage={p => update({ page: p })}
        onPageSize={size =>
          // The first row on screen stays on screen.
          update({ pageSize: size, page: Math.floor(offset / size) })
        }
        onTrace={openTrace}
      />
    );
  }

  return (
    <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
      <Paper className={classes.section}>
        <DeploymentFilters
          filter={view.filter}
          facets={facets}
          onChange={setFilter}
        />
      </Paper>

      <Paper className={classes.section}>
        <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
          <CommitTraceForm current={view.trace} onTrace={openTrace} />
          {view.trace && (
            <CommitTraceSection
              commit={view.trace}
              value={trace.value}
              error={
                trace.error && trace.errorKey === traceKey
                  ? trace.error
                  : undefined
              }
              focus={traceFocus}
              onClose={() => update({ trace: undefined })}
            />
          )}
        </Box>
      </Paper>

      {chart.value && (shown?.totalItems ?? 0) > 0 && (
        <Paper className={classes.section}>
          <StateChart
            data={chart.value}
            by={view.chartBy}
            onByChange={(by: ChartGrouping) =>
              update({ chartBy: by }, { replace: true })
            }
          />
        </Paper>
      )}
      {!pageError &&
        chart.error &&
        chart.errorKey === chartKey &&
        !chart.value && (
          <ResponseErrorPanel
            error={chart.error}
            title="Could not count objects by state"
          />
        )}

      <Paper
        className={classes.section}
        component="section"
        aria-labelledby="gitops-objects-heading"
      >
        <Box className={classes.toolbar}>
          <Typography variant="h6" component="h2" id="gitops-objects-heading">
            Objects
          </Typography>
          <Typography
            variant="body2"
            role="status"
            data-testid="deployments-count"
          >
            {shown
              ? countText(offset, shown.items.length, shown.totalItems)
              : ''}
          </Typography>
          <span className={classes.grow} />
          {page.loadedAt && (
            <Typography variant="body2">
              Updated {new Date(page.loadedAt).toLocaleTimeString()}
            </Typography>
          )}
          <IconButton
            size="small"
            aria-label="Refresh now"
            title="Refresh now (refreshes by itself every 15 s while this tab is visible)"
            onClick={() => setManualRefresh(n => n + 1)}
          >
            <RefreshIcon />
          </IconButton>
          <Button
            variant="outlined"
            size="small"
            startIcon={<GetAppIcon />}
            disabled={Boolean(csv.progress) || !shown?.totalItems}
            onClick={csv.run}
            data-testid="export-csv"
          >
            {csv.progress
              ? `Exporting… ${csv.progress.fetched.toLocaleString(
                  'en-US',
                )} of ${csv.progress.total.toLocaleString('en-US')}`
              : 'Export CSV'}
          </Button>
        </Box>
        <Typography variant="body2" role="status" data-testid="export-status">
          {csv.note ?? ''}
        </Typography>
        {csv.error && (
          <ResponseErrorPanel error={csv.error} title="Export failed" />
        )}
        {pageError && <GitOpsErrorPanel error={pageError} />}
        {objects}
      </Paper>
    </Box>
  );
}

/**
 * The org-wide GitOps deployments page: every Flux and Argo CD object the user may see, filtered
 * and sorted server-side, with a chart by state, commit tracing and CSV export. Usable as a
 * legacy routable extension and as a PageBlueprint loader (`noHeader`: it has its own header).
 * @public
 */
export function DeploymentsPage(props: DeploymentsPageProps = {}) {
  return (
    <Page themeId="tool">
      <Header
        title="GitOps deployments"
        subtitle="Flux and Argo CD objects on every cluster, their state and the commits they run"
      />
      <Content>
        <DeploymentsView {...props} />
      </Content>
    </Page>
  );
}
