import { useEffect, useId, useRef, useState, type HTMLAttributes } from 'react';
import type {
  DeploymentFacet,
  DeploymentsFilter,
  DeploymentsResponse,
} from '@gitops-status/plugin-gitops-common';
import { DEPLOYMENT_FACETS } from '@gitops-status/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import ListItemIcon from '@material-ui/core/ListItemIcon';
import ListItemText from '@material-ui/core/ListItemText';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { makeStyles } from '@material-ui/core/styles';
import CheckBoxIcon from '@material-ui/icons/CheckBox';
import CheckBoxOutlineBlankIcon from '@material-ui/icons/CheckBoxOutlineBlank';
import { FIELD_LABELS, sortFacet, valueText } from './labels';
import {
  COMMIT_FILTER_PATTERN,
  hasFilter,
  LIST_FIELDS,
  MAX_QUERY_LENGTH,
  withField,
  type ListField,
} from './query';

/** How long typing pauses before the search or commit filter applies. */
export const TEXT_DEBOUNCE_MS = 400;

const useStyles = makeStyles(theme => ({
  select: { minWidth: 160, maxWidth: 280 },
  text: { minWidth: 220 },
  checkbox: { minWidth: 32 },
  chips: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1) },
}));

/**
 * A multi-select of one facet: each value with the number of objects choosing it shows. A plain
 * MUI Select (no Autocomplete: @material-ui/lab is not a dependency of this plugin). The ticks are
 * icons, not checkboxes: an option holding a focusable checkbox is a nested interactive control;
 * the option's aria-selected tells the choice.
 */
function FacetSelect(props: {
  field: DeploymentFacet;
  selected: string[];
  options: Array<{ value: string; count: number }>;
  onChange: (values: string[]) => void;
}) {
  const { field, selected, onChange } = props;
  const classes = useStyles();
  const id = useId();
  // Chosen values the other filters now exclude stay listed (with 0) so they can be unchosen.
  const listed = new Set(props.options.map(o => o.value));
  const options = sortFacet(field, [
    ...props.options,
    ...selected.filter(v => !listed.has(v)).map(value => ({ value, count: 0 })),
  ]);
  const label = FIELD_LABELS[field];
  return (
    <TextField
      id={`${id}-${field}`}
      name={`filter-${field}`}
      select
      label={label}
      value={selected}
      onChange={e => onChange(e.target.value as unknown as string[])}
      variant="outlined"
      size="small"
      className={classes.select}
      InputLabelProps={{ shrink: true }}
      SelectProps={{
        multiple: true,
        displayEmpty: true,
        renderValue: value => {
          const values = value as string[];
          return values.length
            ? values.map(v => valueText(field, v)).join(', ')
            : 'All';
        },
        SelectDisplayProps: {
          'data-testid': `filter-${field}`,
        } as HTMLAttributes<HTMLDivElement>,
        MenuProps: {
          getContentAnchorEl: null,
          anchorOrigin: { vertical: 'bottom', horizontal: 'left' },
          MenuListProps: {
            'aria-multiselectable': true,
          } as HTMLAttributes<HTMLUListElement>,
          PaperProps: { style: { maxHeight: 480 } },
        },
      }}
    >
      {options.length === 0 && (
        <MenuItem disabled value="">
          No values
        </MenuItem>
      )}
      {options.map(o => {
        const checked = selected.includes(o.value);
        return (
          <MenuItem key={o.value} value={o.value} dense>
            <ListItemIcon className={classes.checkbox} aria-hidden>
              {checked ? (
                <CheckBoxIcon fontSize="small" color="primary" />
              ) : (
                <CheckBoxOutlineBlankIcon fontSize="small" />
              )}
            </ListItemIcon>
            <ListItemText
              primary={`${valueText(field, o.value)} (${o.count})`}
            />
          </MenuItem>
        );
      })}
    </TextField>
  );
}

/**
 * A text filter that applies once typing pauses. Follows the URL when it changes from elsewhere
 * (back button, "Clear filters"), but not when the URL merely catches up with what is typed.
 */
function DebouncedField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  validate?: (value: string) => string | undefined;
  placeholder?: string;
  type?: string;
  testId: string;
  maxLength: number;
}) {
  const { value, onChange, validate } = props;
  const classes = useStyles();
  const id = useId();
  const [text, setText] = useState(value);
  const pushed = useRef(value);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => {
    if (value !== pushed.current) {
      pushed.current = value;
      setText(value);
    }
  }, [value]);

  const trimmed = text.trim();
  const error = trimmed ? validate?.(trimmed) : undefined;
  useEffect(() => {
    if (error || trimmed === pushed.current) return undefined;
    const timer = setTimeout(() => {
      pushed.current = trimmed;
      onChangeRef.current(trimmed);
    }, TEXT_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [trimmed, error]);

  return (
    <TextField
      id={id}
      label={props.label}
      type={props.type}
      value={text}
      onChange={e => setText(e.target.value)}
      placeholder={props.placeholder}
      variant="outlined"
      size="small"
      className={classes.text}
      InputLabelProps={{ shrink: true }}
      inputProps={{ maxLength: props.maxLength, 'data-testid': props.testId }}
      error={Boolean(error)}
      helperText={error}
    />
  );
}

function commitError(text: string): string | undefined {
  return COMMIT_FILTER_PATTERN.test(text)
    ? undefined
    : 'Hexadecimal characters only (0-9, a-f), at most 64';
}

/** The filters, each facet value with its count, and the active filters as removable chips. */
export function DeploymentFilters(props: {
  filter: DeploymentsFilter;
  facets?: DeploymentsResponse['facets'];
  onChange: (filter: DeploymentsFilter) => void;
}) {
  const { filter, facets, onChange } = props;
  const classes = useStyles();
  const chips: Array<{ key: string; label: string; remove: () => void }> = [];
  for (const field of LIST_FIELDS) {
    for (const value of filter[field] ?? []) {
      chips.push({
        key: `${field}=${value}`,
        label: `${FIELD_LABELS[field]}: ${valueText(
          field as ListField,
          value,
        )}`,
        remove: () =>
          onChange(
            withField(
              filter,
              field,
              filter[field]!.filter(v => v !== value),
            ),
          ),
      });
    }
  }
  if (filter.q) {
    chips.push({
      key: 'q',
      label: `Search: ${filter.q}`,
      remove: () => onChange(withField(filter, 'q', undefined)),
    });
  }
  if (filter.commit) {
    chips.push({
      key: 'commit',
      label: `Commit: ${filter.commit}`,
      remove: () => onChange(withField(filter, 'commit', undefined)),
    });
  }

  return (
    <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
      <Box
        display="flex"
        flexWrap="wrap"
        style={{ gap: 16 }}
        role="group"
        aria-label="Filters"
      >
        <DebouncedField
          label="Search"
          type="search"
          placeholder="Name, namespace, cluster, kind"
          value={filter.q ?? ''}
          onChange={q => onChange(withField(filter, 'q', q || undefined))}
          testId="filter-search"
          maxLength={MAX_QUERY_LENGTH}
        />
        <DebouncedField
          label="Commit prefix"
          placeholder="e.g. 1a2b3c4"
          value={filter.commit ?? ''}
          onChange={commit =>
            onChange(
              withField(
                filter,
                'commit',
                commit.toLocaleLowerCase('en-US') || undefined,
              ),
            )
          }
          validate={commitError}
          testId="filter-commit"
          maxLength={64}
        />
        {DEPLOYMENT_FACETS.map(field => (
          <FacetSelect
            key={field}
            field={field}
            selected={filter[field] ?? []}
            options={facets?.[field] ?? []}
            onChange={values => onChange(withField(filter, field, values))}
          />
        ))}
      </Box>
      {chips.length > 0 && (
        <Box className={classes.chips} data-testid="active-filters">
          {chips.map(c => (
            <Chip
              key={c.key}
              label={c.label}
              size="small"
              onClick={c.remove}
              onDelete={c.remove}
              aria-label={`Remove filter ${c.label}`}
            />
          ))}
          <Button
            size="small"
            variant="outlined"
            onClick={() => onChange({})}
            disabled={!hasFilter(filter)}
          >
            Clear filters
          </Button>
        </Box>
      )}
    </Box>
  );
}
