import type { ReactNode } from 'react';
import type { GitOpsRecord } from '@gitops-status/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { DependencyChain } from '../DependencyChain/DependencyChain';
import type { RecordIndex } from '../DependencyChain/dependencies';
import { ExternalLinks, isSafeLink } from '../ExternalLinks/ExternalLinks';
import { formatAge, formatTime } from '../format';
import { ObjectMessage } from '../ObjectMessage/ObjectMessage';
import {
  applicableActions,
  GitOpsActionsContext,
  ObjectActions,
} from '../ObjectActions/ObjectActions';
import { useContext } from 'react';

const useStyles = makeStyles(theme => ({
  section: { marginBottom: theme.spacing(2) },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    margin: 0,
    '& dt': { fontWeight: theme.typography.fontWeightBold },
    '& dd': { margin: 0, overflowWrap: 'anywhere' },
  },
  wrap: { overflowWrap: 'anywhere', minWidth: '16ch' },
}));

function Section(props: { title: string; children: ReactNode }) {
  const classes = useStyles();
  return (
    <section className={classes.section}>
      <Typography variant="subtitle2" component="h4" gutterBottom>
        {props.title}
      </Typography>
      {props.children}
    </section>
  );
}

/** "3 min ago", with the exact time as its title. */
function Time(props: { iso?: string }) {
  const age = formatAge(props.iso);
  return age ? <span title={formatTime(props.iso)}>{age}</span> : <>—</>;
}

function Conditions(props: { record: GitOpsRecord; label: string }) {
  const classes = useStyles();
  const { conditions } = props.record;
  if (!conditions.length) {
    return <Typography variant="body2">No conditions reported.</Typography>;
  }
  return (
    <Table size="small" aria-label={`Conditions of ${props.label}`}>
      <TableHead>
        <TableRow>
          <TableCell>Type</TableCell>
          <TableCell>Status</TableCell>
          <TableCell>Reason</TableCell>
          <TableCell>Message</TableCell>
          <TableCell>Changed</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {conditions.map(c => (
          <TableRow key={c.type}>
            <TableCell>{c.type}</TableCell>
            <TableCell>{c.status}</TableCell>
            <TableCell>{c.reason ?? '—'}</TableCell>
            <TableCell className={classes.wrap}>
              <ObjectMessage message={c.message} />
            </TableCell>
            <TableCell>
              <Time iso={c.lastTransitionTime} />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function History(props: { record: GitOpsRecord; label: string }) {
  const classes = useStyles();
  const history = props.record.history ?? [];
  const hasStatus = history.some(h => h.status);
  const hasChart = history.some(h => h.chartVersion);
  return (
    <Table size="small" aria-label={`Deployment history of ${props.label}`}>
      <TableHead>
        <TableRow>
          <TableCell>Revision</TableCell>
          {hasChart && <TableCell>Chart version</TableCell>}
          {hasStatus && <TableCell>Status</TableCell>}
          <TableCell>Deployed</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {history.map((h, i) => (
          <TableRow key={`${i}:${h.revision}`}>
            <TableCell className={classes.wrap}>
              <code>{h.revision ?? '—'}</code>
            </TableCell>
            {hasChart && <TableCell>{h.chartVersion ?? '—'}</TableCell>}
            {hasStatus && <TableCell>{h.status ?? '—'}</TableCell>}
            <TableCell>
              <Time iso={h.deployedAt} />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/**
 * Everything known about one object: conditions, the dependency chain, the last Argo CD operation
 * and the deployment history, what sources disagree on, where it was read from, and links out.
 */
export function ObjectDetail(props: {
  record: GitOpsRecord;
  index: RecordIndex;
}) {
  const { record, index } = props;
  const classes = useStyles();
  const label = `${record.kind} ${record.namespace}/${record.name}`;
  const { operation } = record;
  const actions = useContext(GitOpsActionsContext);
  return (
    <Box py={1}>
      {actions?.enabled && applicableActions(record).length > 0 && (
        <Section title="Actions">
          <ObjectActions record={record} />
        </Section>
      )}
      <Section title="Conditions">
        <Conditions record={record} label={label} />
      </Section>
      {record.dependsOn.length > 0 && (
        <Section title="Depends on">
          <DependencyChain record={record} index={index} />
        </Section>
      )}
      {operation && (
        <Section title="Last operation">
          <dl className={classes.facts}>
            <dt>Phase</dt>
            <dd>{operation.phase}</dd>
            {operation.message && (
              <>
                <dt>Message</dt>
                <dd>
                  <ObjectMessage message={operation.message} />
                </dd>
              </>
            )}
            <dt>Started</dt>
            <dd>
              <Time iso={operation.startedAt} />
            </dd>
            <dt>Finished</dt>
            <dd>
              {operation.finishedAt ? (
                <Time iso={operation.finishedAt} />
              ) : (
                'not yet'
              )}
            </dd>
          </dl>
        </Section>
      )}
      {record.history && record.history.length > 0 && (
        <Section title="History">
          <History record={record} label={label} />
        </Section>
      )}
      {record.disagreements && record.disagreements.length > 0 && (
        <Section title="Sources disagree">
          <ul style={{ margin: 0, paddingLeft: 20 }}>
            {record.disagreements.map(d => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        </Section>
      )}
      <Section title="Reported by">
        <dl className={classes.facts}>
          <dt>Sources</dt>
          <dd>{record.sources.join(', ') || '—'}</dd>
          {record.instance && (
            <>
              <dt>Argo CD instance</dt>
              <dd>{record.instance}</dd>
            </>
          )}
          {record.project && (
            <>
              <dt>Argo CD project</dt>
              <dd>{record.project}</dd>
            </>
          )}
          <dt>Last seen</dt>
          <dd>
            <Time iso={record.observedAt} />
          </dd>
          {record.stale && (
            <>
              <dt>Stale</dt>
              <dd>{record.stale.message}</dd>
            </>
          )}
        </dl>
      </Section>
      {record.links.some(l => isSafeLink(l.url)) && (
        <Section title="Links">
          <ExternalLinks links={record.links} />
        </Section>
      )}
    </Box>
  );
}
