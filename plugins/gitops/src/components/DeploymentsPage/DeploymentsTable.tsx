import { Fragment, memo, useCallback } from 'react';
import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  entityRouteParams,
  entityRouteRef,
  humanizeEntityRef,
} from '@backstage/plugin-catalog-react';
import {
  shortRevision,
  type DeploymentRow,
  type DeploymentSortField,
} from '@gitops-status/plugin-gitops-common';
import IconButton from '@material-ui/core/IconButton';
import LinearProgress from '@material-ui/core/LinearProgress';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TablePagination from '@material-ui/core/TablePagination';
import TableRow from '@material-ui/core/TableRow';
import TableSortLabel from '@material-ui/core/TableSortLabel';
import { makeStyles } from '@material-ui/core/styles';
import TrackChangesIcon from '@material-ui/icons/TrackChanges';
import { formatAge, formatTime, toolLabel } from '../format';
import {
  attemptedRevision,
  RevisionCell,
} from '../ObjectRow/AttemptedRevision';
import { StateLabel } from '../StateLabel/StateLabel';
import { PAGE_SIZES, TRACE_PATTERN } from './query';

const COLUMNS: Array<{ label: string; sort?: DeploymentSortField }> = [
  { label: 'Entity' },
  { label: 'Owner' },
  { label: 'Tool', sort: 'tool' },
  { label: 'Cluster', sort: 'cluster' },
  { label: 'Namespace', sort: 'namespace' },
  { label: 'Kind', sort: 'kind' },
  { label: 'Name', sort: 'name' },
  { label: 'State', sort: 'state' },
  { label: 'Sync' },
  { label: 'Health' },
  { label: 'Compliance' },
  { label: 'Revision' },
  { label: 'Last reconciled', sort: 'lastReconciledAt' },
];

const useStyles = makeStyles({
  nowrap: { whiteSpace: 'nowrap' },
  name: { minWidth: '12ch', overflowWrap: 'anywhere' },
  revision: { display: 'flex', alignItems: 'flex-start', gap: 4 },
  // Keeps its height while hidden, so rows do not jump when a page starts or ends loading.
  progress: { height: 4 },
});

/** The identity of an object, unique in the fleet: the row key. */
export function rowKey(row: DeploymentRow): string {
  const r = row.record;
  return [r.tool, r.cluster, r.namespace, r.kind, r.name].join('/');
}

/** The commit a row runs, or else the one it attempts: what "trace" follows. */
export function traceableCommit(row: DeploymentRow): string | undefined {
  const { revision } = row.record;
  const commit = revision.commit ?? attemptedRevision(revision)?.commit;
  // Git commits only: an OCI digest or chart version is not something the trace API follows.
  return commit && TRACE_PATTERN.test(commit) ? commit : undefined;
}

/** The catalog page of an entity ref. */
type EntityLinkTo = (entityRef: string) => string;

/**
 * Entity links for a table of many rows: the route is resolved once for the table, not once per
 * link (EntityRefLinks resolves routes and loads presentations per link: most of a page's render).
 */
function RefLinks(props: {
  refs: string[];
  defaultKind: string;
  linkTo: EntityLinkTo;
}) {
  const { refs, defaultKind, linkTo } = props;
  if (!refs.length) return <>—</>;
  return (
    <>
      {refs.map((ref, i) => (
        <Fragment key={ref}>
          {i > 0 && ', '}
          <Link to={linkTo(ref)}>
            {humanizeEntityRef(parseEntityRef(ref), { defaultKind })}
          </Link>
        </Fragment>
      ))}
    </>
  );
}

function RowBase(props: {
  row: DeploymentRow;
  onTrace: (commit: string) => void;
  linkTo: EntityLinkTo;
}) {
  const { row, onTrace, linkTo } = props;
  const r = row.record;
  const classes = useStyles();
  const commit = traceableCommit(row);
  return (
    <TableRow data-testid="deployment-row">
      <TableCell>
        <RefLinks
          refs={row.entityRefs}
          defaultKind="component"
          linkTo={linkTo}
        />
      </TableCell>
      <TableCell>
        <RefLinks refs={row.owners} defaultKind="group" linkTo={linkTo} />
      </TableCell>
      <TableCell className={classes.nowrap}>{toolLabel(r.tool)}</TableCell>
      <TableCell className={classes.nowrap}>{r.cluster}</TableCell>
      <TableCell className={classes.name}>{r.namespace}</TableCell>
      <TableCell>{r.kind}</TableCell>
      <TableCell className={classes.name}>{r.name}</TableCell>
      <TableCell className={classes.nowrap}>
        <StateLabel state={r.state} />
      </TableCell>
      <TableCell>{r.sync}</TableCell>
      <TableCell>{r.health}</TableCell>
      <TableCell>{r.compliance}</TableCell>
      <TableCell className={classes.nowrap}>
        <span className={classes.revision}>
          <span>
            <RevisionCell revision={r.revision} />
          </span>
          {commit && (
            <IconButton
              size="small"
              aria-label={`Trace commit ${shortRevision(commit)}`}
              title="Where else is this commit?"
              onClick={() => onTrace(commit)}
            >
              <TrackChangesIcon fontSize="small" />
            </IconButton>
          )}
        </span>
      </TableCell>
      <TableCell className={classes.nowrap}>
        <span title={formatTime(r.lastReconciledAt)}>
          {formatAge(r.lastReconciledAt) ?? '—'}
        </span>
      </TableCell>
    </TableRow>
  );
}

/**
 * A refresh answers new objects for the same data: rows whose content did not change are not
 * rendered again (a stringify of one row costs far less than rendering it).
 */
const Row = memo(
  RowBase,
  (a, b) =>
    a.onTrace === b.onTrace &&
    a.linkTo === b.linkTo &&
    (a.row === b.row || JSON.stringify(a.row) === JSON.stringify(b.row)),
);

/**
 * One page of objects, sorted and paged by the server. Only this page is in the DOM, whatever the
 * total. A plain MUI table: each sortable header holds one real button (named by the column,
 * its order in aria-sort), and nothing else interactive.
 */
export function DeploymentsTable(props: {
  rows: DeploymentRow[];
  total: number;
  page: number;
  pageSize: number;
  sort: DeploymentSortField;
  order: 'asc' | 'desc';
  loading: boolean;
  onSort: (sort: DeploymentSortField, order: 'asc' | 'desc') => void;
  onPage: (page: number) => void;
  onPageSize: (size: number) => void;
  onTrace: (commit: string) => void;
}) {
  const { rows, total, pageSize, sort, order, loading } = props;
  const classes = useStyles();
  const lastPage = Math.max(0, Math.ceil(total / pageSize) - 1);
  const entityRoute = useRouteRef(entityRouteRef);
  const linkTo = useCallback(
    (ref: string) =>
      entityRoute(entityRouteParams(ref, { encodeParams: true })),
    [entityRoute],
  );
  return (
    <>
      <div className={classes.progress}>
        {loading && <LinearProgress aria-label="Loading objects" />}
      </div>
      <TableContainer>
        <Table size="small" aria-label="GitOps objects" aria-busy={loading}>
          <TableHead>
            <TableRow>
              {COLUMNS.map(c => {
                const active = c.sort === sort;
                return (
                  <TableCell
                    key={c.label}
                    className={classes.nowrap}
                    sortDirection={active ? order : false}
                  >
                    {c.sort ? (
                      <TableSortLabel
                        component="button"
                        active={active}
                        direction={active ? order : 'asc'}
                        onClick={() =>
                          props.onSort(
                            c.sort!,
                            active && order === 'asc' ? 'desc' : 'asc',
                          )
                        }
                      >
                        {c.label}
                      </TableSortLabel>
                    ) : (
                      c.label
                    )}
                  </TableCell>
                );
              })}
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map(row => (
              <Row
                key={rowKey(row)}
                row={row}
                onTrace={props.onTrace}
                linkTo={linkTo}
              />
            ))}
          </TableBody>
        </Table>
      </TableContainer>
      <TablePagination
        component="div"
        count={total}
        page={Math.min(props.page, lastPage)}
        rowsPerPage={pageSize}
        rowsPerPageOptions={[...PAGE_SIZES]}
        labelRowsPerPage="Objects per page:"
        onPageChange={(_, page) => props.onPage(page)}
        onRowsPerPageChange={e => props.onPageSize(Number(e.target.value))}
      />
    </>
  );
}
