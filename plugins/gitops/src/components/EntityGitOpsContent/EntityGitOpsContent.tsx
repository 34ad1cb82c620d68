import {
  Progress,
  ResponseErrorPanel,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import type {
  EntityStatusResponse,
  GitOpsRecord,
} from '@gitops-status/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { GitOpsStatusCardContent } from '../EntityGitOpsCard/EntityGitOpsCard';
import { formatAge } from '../format';
import { RevisionLink } from '../RevisionLink';
import { StateLabel } from '../StateLabel/StateLabel';
import { useEntityGitOpsStatus } from '../useEntityGitOpsStatus';

const columns: TableColumn<GitOpsRecord>[] = [
  { title: 'Cluster', field: 'cluster' },
  {
    title: 'Tool',
    field: 'tool',
    render: r => (r.tool === 'argocd' ? 'Argo CD' : 'Flux'),
  },
  { title: 'Kind', field: 'kind' },
  { title: 'Object', field: 'name', render: r => `${r.namespace}/${r.name}` },
  {
    title: 'State',
    field: 'state',
    render: r => <StateLabel state={r.state} />,
  },
  { title: 'Sync', field: 'sync' },
  { title: 'Health', field: 'health' },
  { title: 'Compliance', field: 'compliance' },
  {
    title: 'Revision',
    render: r => (
      <>
        <RevisionLink revision={r.revision} />
        {r.revision.attempted &&
          r.revision.attempted !== r.revision.applied && (
            <Typography variant="caption" display="block">
              attempting {r.revision.attempted}
            </Typography>
          )}
      </>
    ),
  },
  {
    title: 'Message',
    render: r => (
      <>
        {r.reason && <strong>{r.reason}: </strong>}
        {r.message}
      </>
    ),
  },
  { title: 'Reconciled', render: r => formatAge(r.lastReconciledAt) ?? '—' },
];

/** Every object of the entity, with its state and message. @public */
export function GitOpsObjectsTable(props: { status: EntityStatusResponse }) {
  return (
    <Table<GitOpsRecord>
      title="GitOps objects"
      options={{
        // material-table's sort labels nest a button in the header cell (axe: nested-interactive);
        // records arrive sorted by cluster, tool, kind and name.
        sorting: false,
        paging: props.status.records.length > 50,
        pageSize: 50,
        padding: 'dense',
      }}
      columns={columns}
      data={props.status.records}
    />
  );
}

/** The GitOps tab of an entity page. @public */
export function EntityGitOpsContent() {
  const { value, loading, error } = useEntityGitOpsStatus();
  if (loading && !value) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value) return null;
  return (
    <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
      <GitOpsStatusCardContent status={value} />
      {value.records.length > 0 && <GitOpsObjectsTable status={value} />}
    </Box>
  );
}
