import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import {
  shortRevision,
  type CommitTraceResponse,
  type DeploymentRow,
} from '@gitops-status/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { joinWords, toolLabel } from '../format';
import { TRACE_PATTERN } from './query';

/** Objects listed per cell before "and N more": a commit can be on hundreds of objects. */
export const TRACE_LIST_LIMIT = 10;

const RELATIONS = ['applied', 'attempting', 'behind'] as const;
type Relation = (typeof RELATIONS)[number];

const RELATION_LABELS: Record<Relation, string> = {
  applied: 'Applied',
  attempting: 'Attempting',
  behind: 'Behind',
};

export interface ClusterTrace {
  cluster: string;
  applied: DeploymentRow[];
  attempting: DeploymentRow[];
  behind: DeploymentRow[];
}

/** The trace grouped by cluster, clusters by name. */
export function traceByCluster(trace: CommitTraceResponse): ClusterTrace[] {
  const byCluster = new Map<string, ClusterTrace>();
  for (const relation of RELATIONS) {
    for (const row of trace[relation]) {
      const cluster = row.record.cluster;
      if (!byCluster.has(cluster)) {
        byCluster.set(cluster, {
          cluster,
          applied: [],
          attempting: [],
          behind: [],
        });
      }
      byCluster.get(cluster)![relation].push(row);
    }
  }
  return [...byCluster.values()].sort((a, b) =>
    a.cluster.localeCompare(b.cluster),
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "Applied on 3 objects in 2 clusters: dev and prod-eu." */
export function relationSummary(
  relation: Relation,
  clusters: ClusterTrace[],
): string {
  const having = clusters.filter(c => c[relation].length > 0);
  const objects = having.reduce((n, c) => n + c[relation].length, 0);
  const verb = {
    applied: 'Applied on',
    attempting: 'Being attempted on',
    behind: 'Behind (running another commit of the same repository):',
  }[relation];
  if (!objects) return `${verb} no objects.`;
  return `${verb} ${plural(objects, 'object')} in ${plural(
    having.length,
    'cluster',
  )}: ${joinWords(having.map(c => c.cluster))}.`;
}

const useStyles = makeStyles(theme => ({
  list: { margin: 0, paddingLeft: theme.spacing(2) },
  count: { fontWeight: theme.typography.fontWeightBold as number },
}));

function objectText(row: DeploymentRow, relation: Relation): string {
  const r = row.record;
  const text = `${r.kind} ${r.namespace}/${r.name} (${toolLabel(r.tool)})`;
  return relation === 'behind' && r.revision.commit
    ? `${text} at ${shortRevision(r.revision.commit)}`
    : text;
}

function RelationCell(props: { rows: DeploymentRow[]; relation: Relation }) {
  const { rows, relation } = props;
  const classes = useStyles();
  const shown = rows.slice(0, TRACE_LIST_LIMIT);
  return (
    <TableCell data-testid={`trace-${relation}`} data-count={rows.length}>
      <span className={classes.count}>{rows.length}</span>
      {shown.length > 0 && (
        <ul
          className={classes.list}
          aria-label={`${RELATION_LABELS[relation]} objects`}
        >
          {shown.map(row => (
            <li key={objectText(row, relation)}>{objectText(row, relation)}</li>
          ))}
          {rows.length > shown.length && (
            <li>and {rows.length - shown.length} more</li>
          )}
        </ul>
      )}
    </TableCell>
  );
}

/** Where one commit is, per cluster: applied, being attempted, behind. */
export function CommitTraceResult(props: { trace: CommitTraceResponse }) {
  const { trace } = props;
  const clusters = traceByCluster(trace);
  const commits = new Set(
    trace.applied.map(r => r.record.revision.commit).filter(Boolean),
  );
  const label = shortRevision(trace.resolved ?? trace.commit);
  let resolution: string;
  if (trace.resolved) resolution = 'Full commit sha:';
  else if (commits.size > 1) {
    resolution = `The prefix ${trace.commit} matches ${commits.size} commits; enter more characters to pick one.`;
  } else resolution = 'No object runs a commit starting with';
  return (
    <Box display="flex" flexDirection="column" style={{ gap: 8 }}>
      <Typography variant="body2" data-testid="trace-resolution">
        {resolution}{' '}
        {trace.resolved && (
          <code data-testid="trace-resolved">{trace.resolved}</code>
        )}
        {!trace.resolved && commits.size <= 1 && <code>{trace.commit}</code>}
      </Typography>
      {RELATIONS.map(relation => (
        <Typography
          key={relation}
          variant="body2"
          data-testid={`trace-summary-${relation}`}
        >
          {relationSummary(relation, clusters)}
        </Typography>
      ))}
      {clusters.length > 0 && (
        <Table
          size="small"
          aria-label={`Where commit ${label} is, per cluster`}
        >
          <TableHead>
            <TableRow>
              <TableCell>Cluster</TableCell>
              {RELATIONS.map(r => (
                <TableCell key={r}>{RELATION_LABELS[r]}</TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {clusters.map(c => (
              <TableRow
                key={c.cluster}
                data-testid="trace-cluster"
                data-cluster={c.cluster}
              >
                <TableCell component="th" scope="row">
                  {c.cluster}
                </TableCell>
                {RELATIONS.map(r => (
                  <RelationCell key={r} rows={c[r]} relation={r} />
                ))}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}

/** The form to trace a commit: 4 to 64 hexadecimal characters, as the API takes. */
export function CommitTraceForm(props: {
  current?: string;
  onTrace: (commit: string) => void;
}) {
  const { current, onTrace } = props;
  const id = useId();
  const [text, setText] = useState(current ?? '');
  const [error, setError] = useState<string>();
  useEffect(() => {
    setText(current ?? '');
    setError(undefined);
  }, [current]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const sha = text.trim().toLocaleLowerCase('en-US');
    if (!TRACE_PATTERN.test(sha)) {
      setError('Enter 4 to 64 hexadecimal characters (0-9, a-f)');
      return;
    }
    setError(undefined);
    onTrace(sha);
  };
  return (
    <Box
      component="form"
      display="flex"
      alignItems="flex-start"
      flexWrap="wrap"
      style={{ gap: 8 }}
      onSubmit={submit}
      aria-label="Trace a commit"
      role="search"
    >
      <TextField
        id={id}
        label="Commit sha or prefix"
        value={text}
        onChange={e => setText(e.target.value)}
        variant="outlined"
        size="small"
        InputLabelProps={{ shrink: true }}
        inputProps={{ maxLength: 64, 'data-testid': 'trace-input' }}
        error={Boolean(error)}
        helperText={error}
      />
      <Button type="submit" variant="outlined" data-testid="trace-submit">
        Trace commit
      </Button>
    </Box>
  );
}

/** The commit trace section: its heading takes focus when a trace is opened from the page. */
export function CommitTraceSection(props: {
  commit: string;
  value?: CommitTraceResponse;
  error?: Error;
  focus: number;
  onClose: () => void;
}) {
  const { commit, value, error, focus, onClose } = props;
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focus > 0) heading.current?.focus();
  }, [focus, commit]);
  const valid = TRACE_PATTERN.test(commit);
  let body;
  if (!valid) {
    body = (
      <Typography variant="body2">
        {`"${commit}" is not a commit: enter 4 to 64 hexadecimal characters.`}
      </Typography>
    );
  } else if (error) body = <ResponseErrorPanel error={error} />;
  else if (!value || value.commit !== commit) body = <Progress />;
  else body = <CommitTraceResult trace={value} />;
  return (
    <Box
      component="section"
      aria-labelledby={headingId}
      data-testid="commit-trace"
      display="flex"
      flexDirection="column"
      style={{ gap: 8 }}
    >
      <Box display="flex" alignItems="center" justifyContent="space-between">
        <Typography
          variant="h6"
          component="h2"
          id={headingId}
          ref={heading}
          tabIndex={-1}
        >
          Where is commit <code>{valid ? shortRevision(commit) : commit}</code>?
        </Typography>
        <Button size="small" onClick={onClose}>
          Close commit trace
        </Button>
      </Box>
      {body}
    </Box>
  );
}
