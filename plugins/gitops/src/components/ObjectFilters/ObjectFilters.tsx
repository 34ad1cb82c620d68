import { useId } from 'react';
import type { GitOpsState } from '@gitops-status/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import TextField from '@material-ui/core/TextField';
import { toolLabel } from '../format';
import { stateLabel } from '../StateLabel/StateLabel';
import type { FacetCounts, FilterField, ObjectFilter } from './filters';

const FIELDS: Array<{
  field: FilterField;
  label: string;
  all: string;
  text: (value: string) => string;
}> = [
  { field: 'cluster', label: 'Cluster', all: 'All clusters', text: v => v },
  { field: 'tool', label: 'Tool', all: 'All tools', text: toolLabel },
  {
    field: 'state',
    label: 'State',
    all: 'All states',
    text: v => stateLabel(v as GitOpsState),
  },
];

/**
 * Cluster, tool and state selects, each value with the number of objects it shows. Native
 * selects: keyboard and screen reader friendly, and cheap with many values.
 */
export function ObjectFilters(props: {
  filter: ObjectFilter;
  counts: FacetCounts;
  onChange: (filter: ObjectFilter) => void;
}) {
  const { filter, counts, onChange } = props;
  const id = useId();
  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 16 }}>
      {FIELDS.map(({ field, label, all, text }) => (
        <TextField
          key={field}
          id={`${id}-${field}`}
          select
          label={label}
          value={filter[field] ?? ''}
          onChange={e =>
            onChange({ ...filter, [field]: e.target.value || undefined })
          }
          SelectProps={{ native: true }}
          variant="outlined"
          size="small"
          InputLabelProps={{ shrink: true }}
        >
          <option value="">
            {all} ({counts[field].reduce((n, [, c]) => n + c, 0)})
          </option>
          {counts[field].map(([value, count]) => (
            <option key={value} value={value}>
              {text(value)} ({count})
            </option>
          ))}
        </TextField>
      ))}
    </Box>
  );
}
