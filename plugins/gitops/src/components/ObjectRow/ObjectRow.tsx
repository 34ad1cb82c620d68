import { memo, useId, useState } from 'react';
import { EntityRefLinks } from '@backstage/plugin-catalog-react';
import type { GitOpsRecord } from '@gitops-status/plugin-gitops-common';
import IconButton from '@material-ui/core/IconButton';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import { makeStyles } from '@material-ui/core/styles';
import ExpandLess from '@material-ui/icons/ExpandLess';
import ExpandMore from '@material-ui/icons/ExpandMore';
import type { RecordIndex } from '../DependencyChain/dependencies';
import { formatAge, formatTime } from '../format';
import { ObjectDetail } from '../ObjectDetail/ObjectDetail';
import { ObjectMessage } from '../ObjectMessage/ObjectMessage';
import { StaleMark } from '../StaleMark/StaleMark';
import { StateLabel } from '../StateLabel/StateLabel';
import { RevisionCell } from './AttemptedRevision';

const useStyles = makeStyles({
  nowrap: { whiteSpace: 'nowrap' },
  // Long names and messages wrap at any character rather than squeezing the other columns.
  message: { minWidth: '24ch', overflowWrap: 'anywhere' },
  name: { minWidth: '12ch', overflowWrap: 'anywhere' },
  detail: { paddingTop: 0 },
});

/**
 * One object as a table row, with a disclosure button that shows its detail in a row below.
 * Memoized, and the detail renders only when opened: sections hold hundreds of rows.
 */
function ObjectRowBase(props: {
  record: GitOpsRecord;
  index: RecordIndex;
  showEntity: boolean;
  columns: number;
}) {
  const { record: r, index, showEntity, columns } = props;
  const classes = useStyles();
  const [open, setOpen] = useState(false);
  const detailId = useId();
  const name = `${r.namespace}/${r.name}`;
  return (
    <>
      <TableRow>
        <TableCell padding="checkbox">
          <IconButton
            size="small"
            aria-expanded={open}
            aria-controls={open ? detailId : undefined}
            aria-label={`Details of ${r.kind} ${name}`}
            onClick={() => setOpen(!open)}
          >
            {open ? <ExpandLess /> : <ExpandMore />}
          </IconButton>
        </TableCell>
        <TableCell className={classes.nowrap}>{r.kind}</TableCell>
        <TableCell className={classes.name}>{name}</TableCell>
        {showEntity && (
          <TableCell>
            {r.entityRefs?.length ? (
              <EntityRefLinks entityRefs={r.entityRefs} />
            ) : (
              '—'
            )}
          </TableCell>
        )}
        <TableCell className={classes.nowrap}>
          <StateLabel state={r.state} />
        </TableCell>
        <TableCell className={classes.nowrap}>{r.sync}</TableCell>
        <TableCell className={classes.nowrap}>{r.health}</TableCell>
        <TableCell className={classes.nowrap}>{r.compliance}</TableCell>
        <TableCell className={classes.nowrap}>
          <RevisionCell revision={r.revision} />
        </TableCell>
        <TableCell className={classes.message}>
          <ObjectMessage reason={r.reason} message={r.message} />
        </TableCell>
        <TableCell className={classes.nowrap}>
          <span title={formatTime(r.lastReconciledAt)}>
            {formatAge(r.lastReconciledAt) ?? '—'}
          </span>
          <StaleMark stale={r.stale} />
        </TableCell>
      </TableRow>
      {open && (
        <TableRow>
          <TableCell id={detailId} colSpan={columns} className={classes.detail}>
            <ObjectDetail record={r} index={index} />
          </TableCell>
        </TableRow>
      )}
    </>
  );
}

/** Records and the index keep their identity across filter changes, so rows already shown skip re-rendering. */
export const ObjectRow = memo(ObjectRowBase);
