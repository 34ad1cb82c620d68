import { InfoCard, Progress } from '@backstage/core-components';
import {
  shortRevision,
  type AlertEvent,
  type AlertState,
  type DeploymentHistoryEntry,
  type DeploymentTarget,
  type HistoryEvent,
  type HistoryValues,
} from '@gitops-status/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { GitOpsErrorPanel } from '../GitOpsErrorPanel';
import { formatAge, formatDuration, formatTime } from '../format';
import { StateLabel, stateLabel } from '../StateLabel/StateLabel';
import { useEntityGitOpsHistory } from './useEntityGitOpsHistory';

function When(props: { at: string }) {
  return (
    <span title={formatTime(props.at)} style={{ whiteSpace: 'nowrap' }}>
      {formatAge(props.at)}
    </span>
  );
}

function revisionText(revision: string, commit?: string) {
  return commit ? shortRevision(commit) : revision;
}

/** How one object's rollout went, in words. */
export function targetOutcome(t: DeploymentTarget): string {
  switch (t.outcome) {
    case 'ready':
      return `ready in ${formatDuration(t.durationMs) ?? '?'}`;
    case 'superseded':
      return 'superseded before it was ready';
    case 'removed':
      return 'removed before it was ready';
    default:
      return 'not ready yet';
  }
}

/** The longest time to ready among the targets, when every one is ready. */
export function timeToReady(d: DeploymentHistoryEntry): number | undefined {
  if (!d.targets.every(t => t.outcome === 'ready')) return undefined;
  return Math.max(...d.targets.map(t => t.durationMs ?? 0));
}

function DeploymentsTable(props: { deployments: DeploymentHistoryEntry[] }) {
  return (
    <Table size="small" aria-label="Deployments">
      <TableHead>
        <TableRow>
          <TableCell>Revision</TableCell>
          <TableCell>Deployed</TableCell>
          <TableCell>Time to ready</TableCell>
          <TableCell>Where</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.deployments.map(d => {
          const ready = timeToReady(d);
          const pending = d.targets.filter(t => t.outcome !== 'ready').length;
          return (
            <TableRow key={d.revision}>
              <TableCell>
                <code title={d.revision}>
                  {revisionText(d.revision, d.commit)}
                </code>
              </TableCell>
              <TableCell>
                <When at={d.firstDeployedAt} />
              </TableCell>
              <TableCell>
                {ready !== undefined
                  ? formatDuration(ready)
                  : `${pending} of ${d.targets.length} not ready`}
              </TableCell>
              <TableCell>
                {d.targets.map(t => (
                  <Typography
                    key={`${t.recordId}@${t.deployedAt}`}
                    variant="body2"
                  >
                    {t.cluster}: {t.kind} {t.namespace}/{t.name} —{' '}
                    {targetOutcome(t)}
                  </Typography>
                ))}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

/** What changed between two sets of values, e.g. "Healthy → Degraded, main@abc → main@def". */
export function describeChange(e: HistoryEvent): string {
  if (e.event === 'appeared') return `first seen: ${stateLabel(e.state)}`;
  if (e.event === 'removed') return 'no longer reported by any source';
  const before = e.previous as HistoryValues;
  const parts: string[] = [];
  if (e.event === 'deployed' || before.revision !== e.revision) {
    parts.push(
      `revision ${
        before.commit ? shortRevision(before.commit) : before.revision ?? '—'
      } → ${e.commit ? shortRevision(e.commit) : e.revision ?? '—'}`,
    );
  }
  for (const field of ['sync', 'health', 'compliance'] as const) {
    if (before[field] !== e[field]) {
      parts.push(`${field} ${before[field]} → ${e[field]}`);
    }
  }
  if (before.state !== e.state) {
    parts.push(`${stateLabel(before.state)} → ${stateLabel(e.state)}`);
  }
  if (!parts.length && e.attempted) parts.push(`attempting ${e.attempted}`);
  return parts.join(', ');
}

const EVENT_LABELS: Record<HistoryEvent['event'], string> = {
  appeared: 'Appeared',
  deployed: 'Deployed',
  transition: 'Changed',
  removed: 'Removed',
};

function ChangesTable(props: { events: HistoryEvent[] }) {
  return (
    <Table size="small" aria-label="Changes">
      <TableHead>
        <TableRow>
          <TableCell>When</TableCell>
          <TableCell>Object</TableCell>
          <TableCell>Event</TableCell>
          <TableCell>Change</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.events.map(e => (
          <TableRow key={e.id}>
            <TableCell>
              <When at={e.at} />
            </TableCell>
            <TableCell>
              {e.cluster}: {e.kind} {e.namespace}/{e.name}
            </TableCell>
            <TableCell style={{ whiteSpace: 'nowrap' }}>
              <StateLabel state={e.state} text={EVENT_LABELS[e.event]} />
            </TableCell>
            <TableCell>
              <Typography variant="body2">{describeChange(e)}</Typography>
              {e.message && (
                <Typography variant="caption" color="textSecondary">
                  {e.message}
                </Typography>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function AlertHistory(props: { alerts: AlertState[]; events: AlertEvent[] }) {
  const byId = new Map(props.alerts.map(a => [a.id, a]));
  return (
    <Table size="small" aria-label="Alert history">
      <TableHead>
        <TableRow>
          <TableCell>When</TableCell>
          <TableCell>Alert</TableCell>
          <TableCell>Transition</TableCell>
          <TableCell>Summary</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.events.map(e => (
          <TableRow key={`${e.id}`}>
            <TableCell>
              <When at={e.at} />
            </TableCell>
            <TableCell>
              {e.rule} ({e.severity})
            </TableCell>
            <TableCell style={{ whiteSpace: 'nowrap' }}>
              <StateLabel
                state={e.transition === 'fired' ? 'error' : 'ok'}
                text={e.transition === 'fired' ? 'Fired' : 'Resolved'}
              />
            </TableCell>
            <TableCell>
              {e.summary}
              {byId.get(e.alertId)?.status === 'firing' &&
                e.transition === 'fired' &&
                ' (still firing)'}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** The entity's deployments, changes and alert history, for the GitOps tab. @public */
export function EntityGitOpsHistory() {
  const h = useEntityGitOpsHistory();
  if (h.loading) return <Progress />;
  if (h.error) return <GitOpsErrorPanel error={h.error} />;
  const kept = h.retentionDays
    ? ` History is kept ${h.retentionDays} days.`
    : '';
  return (
    <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
      <InfoCard title="Deployments" subheader={`Newest first.${kept}`}>
        {h.deployments.length ? (
          <DeploymentsTable deployments={h.deployments} />
        ) : (
          <Typography variant="body2">
            No deployment seen yet: a deployment is recorded when an object's
            applied revision changes.
          </Typography>
        )}
      </InfoCard>
      <InfoCard title="Alert history">
        {h.alertEvents.length ? (
          <AlertHistory alerts={h.alerts} events={h.alertEvents} />
        ) : (
          <Typography variant="body2">No alert has fired.</Typography>
        )}
      </InfoCard>
      <InfoCard title="Changes">
        {h.events.length ? (
          <ChangesTable events={h.events} />
        ) : (
          <Typography variant="body2">No change recorded.</Typography>
        )}
        {h.loadOlder && (
          <Box mt={1}>
            <Button
              variant="outlined"
              size="small"
              onClick={h.loadOlder}
              disabled={h.loadingOlder}
            >
              {h.loadingOlder ? 'Loading…' : 'Show older changes'}
            </Button>
          </Box>
        )}
      </InfoCard>
    </Box>
  );
}
