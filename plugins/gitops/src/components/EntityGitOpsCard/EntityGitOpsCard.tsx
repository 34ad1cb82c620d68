import { useMemo } from 'react';
import {
  EmptyState,
  InfoCard,
  Link,
  MissingAnnotationEmptyState,
  Progress,
} from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  GITOPS_ANNOTATIONS,
  worstState,
  type EntityStatusResponse,
} from '@gitops-status/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { aggregateKind } from '../aggregate';
import { EnvironmentMatrix } from '../EnvironmentMatrix/EnvironmentMatrix';
import { GitOpsErrorPanel } from '../GitOpsErrorPanel';
import { formatAge, toolLabel } from '../format';
import { groupRecords, hasEntityRefs, leadRecord } from '../groups';
import { RevisionLink } from '../RevisionLink';
import { StaleMark } from '../StaleMark/StaleMark';
import { StateLabel } from '../StateLabel/StateLabel';
import { useEntityGitOpsStatus } from '../useEntityGitOpsStatus';

const useStyles = makeStyles({ nowrap: { whiteSpace: 'nowrap' } });

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

/** Firing alerts about the entity's objects (built-in rules, then Prometheus / Alertmanager), in words. */
function FiringAlerts(props: { status: EntityStatusResponse }) {
  const firing = [
    ...(props.status.alerts ?? [])
      .filter(a => a.status === 'firing')
      .map(a => ({
        key: a.id,
        text: `${a.rule} (${a.severity}): ${a.summary}`,
        since: a.firedAt,
        url: undefined as string | undefined,
      })),
    ...(props.status.externalAlerts ?? []).map(a => ({
      key: `${a.endpoint}:${a.id}`,
      text: `${a.alertname} (${a.severity}, ${a.endpoint}): ${a.summary}`,
      since: a.since,
      url: a.url,
    })),
  ];
  if (!firing.length) return null;
  return (
    <Box mb={1} role="status" aria-label="Firing alerts">
      <Typography variant="body2">
        <StateLabel
          state="error"
          text={`${firing.length} firing alert${
            firing.length === 1 ? '' : 's'
          }`}
        />
      </Typography>
      {firing.slice(0, 5).map(a => (
        <Typography key={a.key} variant="body2">
          {a.url ? <Link to={a.url}>{a.text}</Link> : a.text}
          {a.since ? ` — since ${formatAge(a.since)}` : ''}
        </Typography>
      ))}
      {firing.length > 5 && (
        <Typography variant="body2">and {firing.length - 5} more</Typography>
      )}
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

/** The empty state: which annotation to add, or why nothing shows yet. */
function NoObjects(props: { status: EntityStatusResponse }) {
  const { status } = props;
  const aggregate = aggregateKind(status.entityRef);
  if (aggregate) {
    return (
      <EmptyState
        missing="data"
        title="No GitOps objects found"
        description={
          aggregate === 'system'
            ? 'No component of this system has collected Flux, Argo CD or Azure objects yet.'
            : 'No component owned by this group has collected Flux, Argo CD or Azure objects yet.'
        }
      />
    );
  }
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

function distinct(values: string[]): string {
  return [...new Set(values)].join(', ');
}

/**
 * Presentational card body: a summary, a row per cluster and tool (per component too on System
 * and Group pages), the commit per environment and the sources that fail.
 * @public
 */
export function GitOpsStatusCardContent(props: {
  status: EntityStatusResponse;
}) {
  const { status } = props;
  const classes = useStyles();
  const byEntity = useMemo(() => hasEntityRefs(status.records), [status]);
  const groups = useMemo(
    () => groupRecords(status.records, status.clusters, { byEntity }),
    [status, byEntity],
  );
  if (status.records.length === 0) return <NoObjects status={status} />;
  return (
    <>
      <Summary status={status} />
      <FiringAlerts status={status} />
      <Table size="small" aria-label="GitOps status per cluster and tool">
        <TableHead>
          <TableRow>
            {byEntity && <TableCell>Entity</TableCell>}
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
              <TableRow key={g.key}>
                {byEntity && (
                  <TableCell>
                    {g.entityRef ? (
                      <EntityRefLink entityRef={g.entityRef} />
                    ) : (
                      '—'
                    )}
                  </TableCell>
                )}
                <TableCell className={classes.nowrap}>
                  {g.cluster}
                  <Typography variant="caption" display="block">
                    {[g.environment, toolLabel(g.tool)]
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
                  {stale && <StaleMark stale={stale.stale} />}
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
      {/* Components of a System or Group may deploy from different repositories: their commits do not compare. */}
      {!byEntity && (
        <EnvironmentMatrix
          records={status.records}
          clusters={status.clusters}
        />
      )}
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
      {error && <GitOpsErrorPanel error={error} />}
      {value && <GitOpsStatusCardContent status={value} />}
    </InfoCard>
  );
}
