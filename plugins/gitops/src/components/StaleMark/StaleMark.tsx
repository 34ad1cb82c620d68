import type { GitOpsRecord } from '@gitops-status/plugin-gitops-common';
import Typography from '@material-ui/core/Typography';
import { formatAge } from '../format';

/**
 * "stale since 12 min ago": the record is the last one seen because a source reporting it fails.
 * In words (never a colour), with the source's error as its title.
 */
export function StaleMark(props: { stale: GitOpsRecord['stale'] }) {
  const { stale } = props;
  if (!stale) return null;
  const since = formatAge(stale.since);
  return (
    <Typography variant="caption" display="block" title={stale.message}>
      {since ? `stale since ${since}` : 'stale'}
    </Typography>
  );
}
