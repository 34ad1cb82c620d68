import {
  EmptyState,
  InfoCard,
  MissingAnnotationEmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import {
  GITOPS_ANNOTATIONS,
  worstState,
  type EntityStatusResponse,
  type GitOpsRecord,
} from '@gitops-status/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles({ nowrap: { whiteSpace: 'nowrap' } });
import { formatAge } from '../format';
import { RevisionLink } from '../RevisionLink';
import { StateLabel } from '../StateLabel/StateLabel';
import { useEntityGitOpsStatus } from '../useEntityGitOpsStatus';

interface Group {
  cluster: string;
  environment?: string;
  tool: string;
  records: GitOpsRecord[];
}

function groupByClusterAndTool(status: EntityStatusResponse): Group[] {
  const env = new Map(status.clusters.map(c => [c.name, c.environment]));
  const groups = new Map<string, Group>();
  for (const r of status.records) {
    const key = `${r.cluster}\u0000${r.tool}`;
    const g = groups.get(key) ?? {
      cluster: r.cluster,
      environment: env.get(r.cluster),
      tool: r.tool,
      records: [],
    };
    g.records.push(r);
    groups.set(key, g);
  }
  return [...groups.values()].sort(
    (a, b) =>
      a.cluster.localeCompare(b.cluster) || a.tool.localeCompare(b.tool),
  );
}

const DEPLOYERS: string[] = [
  'Kustomization',
  'HelmRelease',
  'Application',
  'FluxConfig',
];

/**
 * The record whose revision best stands for the group: a deployer (Kustomization, HelmRelease,
 * Application, FluxConfig) with a Git commit, newest reconciled first.
 */
function leadRecord(records: GitOpsRecord[]): GitOpsRecord | undefined {
  const rank = (r: GitOpsRecord) =>
    (DEPLOYERS.includes(r.kind) ? 0 : 2) + (r.revision.commit ? 0 : 1);
  return [...records].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (b.lastReconciledAt ?? '').localeCompare(a.lastReconciledAt ?? ''),
  )[0];
}

function distinct(values: string[]): string {
  return [...new Set(values)].join(', ');
}

function Summary(props: { status: EntityStatusResponse }) {
  const { summary } = props.status;
  const attention = summary.byState.error + summary.byState.warning;
  let text = `${summary.total} objects on ${summary.clusters.length} clusters`;
  if (attention > 0) {
    text = `${attention} of ${summary.total} objects need attention`;
  } else if (summary.byState.progressing > 0) {
    text = `${summary.byState.progressing} of ${summary.total} objects progressing`;
  }
  return (
    <Box display="flex" alignItems="center" mb={1}>
      {summary.state && <StateLabel state={summary.state} />}
      <Typography variant="body2" style={{ marginLeft: 8 }}>
        {text}
        {summary.lastReconciledAt &&
          ` · last reconciled ${formatAge(summary.lastReconciledAt)}`}
      </Typography>
    </Box>
  );
}

function StaleSources(props: { status: EntityStatusResponse }) {
  const failing = props.status.sources.filter(s => s.status === 'error');
  if (!failing.length) return null;
  return (
    <Box mt={1} role="status">
      {failing.map(s => (
        <Typography key={s.id} variant="body2">
          <StateLabel state="warning" text="Stale" /> {s.target}: {s.message}
          {s.lastSuccessAt
            ? ` — data from ${formatAge(s.lastSuccessAt)}`
            : ' — never collected'}
        </Typography>
      ))}
    </Box>
  );
}

/** Presentational card body, for tests and for System / Group pages. @public */
export function GitOpsStatusCardContent(props: {
  status: EntityStatusResponse;
}) {
  const { status } = props;
  const classes = useStyles();
  if (status.emptyReason === 'no-annotation') {
    return (
      <MissingAnnotationEmptyState
        annotation={[
          GITOPS_ANNOTATIONS.kubernetesId,
          GITOPS_ANNOTATIONS.argocdAppName,
          GITOPS_ANNOTATIONS.fluxResources,
        ]}
      />
    );
  }
  if (status.records.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No GitOps objects found"
        description={`This entity is linked by ${status.matchedBy.join(
          ', ',
        )}, but no collected Flux, Argo CD or Azure object matches yet.`}
      />
    );
  }
  const groups = groupByClusterAndTool(status);
  return (
    <>
      <Summary status={status} />
      <Table size="small" aria-label="GitOps status per cluster and tool">
        <TableHead>
          <TableRow>
            <TableCell>Cluster</TableCell>
            <TableCell>State</TableCell>
            <TableCell>Commit</TableCell>
            <TableCell>Reconciled</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {groups.map(g => {
            const lead = leadRecord(g.records);
            const state = worstState(g.records.map(r => r.state)) ?? 'unknown';
            const stale = g.records.find(r => r.stale);
            return (
              <TableRow key={`${g.cluster}/${g.tool}`}>
                <TableCell className={classes.nowrap}>
                  {g.cluster}
                  <Typography variant="caption" display="block">
                    {[g.environment, g.tool === 'argocd' ? 'Argo CD' : 'Flux']
                      .filter(Boolean)
                      .join(' · ')}
                  </Typography>
                </TableCell>
                <TableCell>
                  <StateLabel state={state} />
                  <Typography variant="caption" display="block">
                    {distinct(g.records.map(r => r.sync))} ·{' '}
                    {distinct(g.records.map(r => r.health))} ·{' '}
                    {distinct(g.records.map(r => r.compliance))}
                  </Typography>
                  {stale && (
                    <Typography variant="caption" display="block">
                      stale
                      {stale.stale?.since
                        ? ` since ${formatAge(stale.stale.since)}`
                        : ''}
                    </Typography>
                  )}
                </TableCell>
                <TableCell className={classes.nowrap}>
                  {lead ? <RevisionLink revision={lead.revision} /> : '—'}
                </TableCell>
                <TableCell className={classes.nowrap}>
                  {formatAge(lead?.lastReconciledAt) ?? '—'}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      <StaleSources status={status} />
    </>
  );
}

/** The GitOps status card for an entity's overview page. @public */
export function EntityGitOpsCard() {
  const { value, loading, error } = useEntityGitOpsStatus();
  return (
    <InfoCard title="GitOps status">
      {loading && !value && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && <GitOpsStatusCardContent status={value} />}
    </InfoCard>
  );
}
