import type {
  GitOpsState,
  SourceHealth,
} from '@gitops-status/plugin-gitops-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { formatAge, formatTime } from '../format';
import { StateLabel } from '../StateLabel/StateLabel';

const SOURCE_STATES: Record<
  SourceHealth['status'],
  { state: GitOpsState; text: string }
> = {
  ok: { state: 'ok', text: 'OK' },
  error: { state: 'error', text: 'Error' },
  pending: { state: 'progressing', text: 'Pending' },
};

/**
 * Each source the entity's objects come from (a cluster, an Argo CD instance, Azure), as last
 * collected: OK or Error in words, its message and when it last answered.
 * @public
 */
export function SourceHealthList(props: { sources: readonly SourceHealth[] }) {
  const { sources } = props;
  if (!sources.length) {
    return <Typography variant="body2">No source reported yet.</Typography>;
  }
  return (
    <Table size="small" aria-label="Source health">
      <TableHead>
        <TableRow>
          <TableCell>Source</TableCell>
          <TableCell>State</TableCell>
          <TableCell>Last success</TableCell>
          <TableCell>Message</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {sources.map(s => {
          const shown = SOURCE_STATES[s.status] ?? {
            state: 'unknown',
            text: s.status,
          };
          return (
            <TableRow key={s.id}>
              <TableCell>
                {s.target}
                <Typography variant="caption" display="block">
                  {s.type}
                </Typography>
              </TableCell>
              <TableCell>
                <StateLabel state={shown.state} text={shown.text} />
              </TableCell>
              <TableCell>
                <span title={formatTime(s.lastSuccessAt)}>
                  {formatAge(s.lastSuccessAt) ?? 'never'}
                </span>
              </TableCell>
              <TableCell>
                {s.message ?? (s.status === 'ok' ? 'answering' : '—')}
                {s.skippedKinds?.length ? (
                  <Typography variant="caption" display="block">
                    Not installed there, skipped: {s.skippedKinds.join(', ')}
                  </Typography>
                ) : null}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
