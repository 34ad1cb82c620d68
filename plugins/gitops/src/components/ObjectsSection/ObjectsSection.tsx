import { useState } from 'react';
import type { GitOpsRecord } from '@gitops-status/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { RecordIndex } from '../DependencyChain/dependencies';
import { toolLabel } from '../format';
import type { RecordGroup } from '../groups';
import { ObjectRow } from '../ObjectRow/ObjectRow';

/**
 * Rows a section renders before "Show … more": keeps the first paint of entities with hundreds of
 * objects cheap; the filters narrow further.
 */
const SECTION_ROW_LIMIT = 100;

const useStyles = makeStyles({
  visuallyHidden: {
    position: 'absolute',
    width: 1,
    height: 1,
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  },
});

/** Header cells are plain text: a sort button inside one fails axe "nested-interactive". */
const COLUMNS = [
  'Kind',
  'Object',
  'State',
  'Sync',
  'Health',
  'Compliance',
  'Revision',
  'Message',
  'Reconciled',
];

/** The objects of one cluster and tool, under a heading that names both and the environment. */
export function ObjectsSection(props: {
  group: RecordGroup;
  index: RecordIndex;
  showEntity: boolean;
}) {
  const { group, index, showEntity } = props;
  const classes = useStyles();
  const [showAll, setShowAll] = useState(false);
  const rows = showAll
    ? group.records
    : group.records.slice(0, SECTION_ROW_LIMIT);
  const hidden = group.records.length - rows.length;
  const tool = toolLabel(group.tool);
  const columns = showEntity
    ? [...COLUMNS.slice(0, 2), 'Entity', ...COLUMNS.slice(2)]
    : COLUMNS;
  return (
    <Box component="section" mt={2}>
      <Typography variant="h6" component="h3">
        {group.cluster} · {tool}
      </Typography>
      <Typography variant="body2">
        {[
          group.environment && `${group.environment} environment`,
          objectCount(group.records),
        ]
          .filter(Boolean)
          .join(' · ')}
      </Typography>
      <Table size="small" aria-label={`${tool} objects on ${group.cluster}`}>
        <TableHead>
          <TableRow>
            <TableCell padding="checkbox">
              <span className={classes.visuallyHidden}>Details</span>
            </TableCell>
            {columns.map(c => (
              <TableCell key={c}>{c}</TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map(r => (
            <ObjectRow
              key={`${r.instance ?? ''}/${r.kind}/${r.namespace}/${r.name}`}
              record={r}
              index={index}
              showEntity={showEntity}
              columns={columns.length + 1}
            />
          ))}
        </TableBody>
      </Table>
      {hidden > 0 && (
        <Button size="small" onClick={() => setShowAll(true)}>
          Show {hidden} more {hidden === 1 ? 'object' : 'objects'}
        </Button>
      )}
    </Box>
  );
}

function objectCount(records: readonly GitOpsRecord[]): string {
  return records.length === 1 ? '1 object' : `${records.length} objects`;
}
