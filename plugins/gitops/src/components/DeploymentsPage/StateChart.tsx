import { useId } from 'react';
import type { GitOpsState } from '@gitops-status/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import Typography from '@material-ui/core/Typography';
import {
  getContrastRatio,
  makeStyles,
  type Theme,
} from '@material-ui/core/styles';
import { toolLabel } from '../format';
import { stateLabel } from '../StateLabel/StateLabel';
import type { ChartBar, StateChartData } from './chartData';
import type { ChartGrouping } from './query';

/** The Backstage palette's status colours (the same the state icons use). */
function stateColor(theme: Theme, state: GitOpsState): string {
  const status = (
    theme.palette as unknown as { status?: Record<string, string> }
  ).status;
  const key: Record<GitOpsState, string> = {
    ok: 'ok',
    progressing: 'running',
    warning: 'warning',
    error: 'error',
    suspended: 'aborted',
    unknown: 'pending',
  };
  const fallback: Record<GitOpsState, string> = {
    ok: '#1db855',
    progressing: '#2e77d0',
    warning: '#ff9800',
    error: '#e22134',
    suspended: '#757575',
    unknown: '#f0e443',
  };
  return status?.[key[state]] ?? fallback[state];
}

/** Black or white, whichever reads better on the colour (one of them always reaches 4.5:1). */
function textOn(color: string): string {
  return getContrastRatio(color, '#000') >= getContrastRatio(color, '#fff')
    ? '#000'
    : '#fff';
}

const useStyles = makeStyles(theme => ({
  list: { listStyle: 'none', margin: 0, padding: 0 },
  item: {
    display: 'grid',
    gridTemplateColumns: 'minmax(8ch, 16ch) 1fr',
    columnGap: theme.spacing(2),
    alignItems: 'center',
    padding: theme.spacing(0.5, 0),
  },
  name: {
    overflowWrap: 'anywhere',
    fontWeight: theme.typography.fontWeightMedium as number,
  },
  track: { display: 'flex', height: 24, minWidth: 0 },
  segment: {
    height: '100%',
    overflow: 'hidden',
    whiteSpace: 'nowrap',
    textOverflow: 'ellipsis',
    fontSize: theme.typography.caption.fontSize,
    lineHeight: '24px',
    padding: theme.spacing(0, 0.5),
    boxSizing: 'border-box',
    // Segments are separated by a gap, so neighbours of similar colours stay apart.
    borderRight: `2px solid ${theme.palette.background.paper}`,
  },
  breakdown: { gridColumn: 2 },
}));

export function segmentText(s: { state: GitOpsState; count: number }): string {
  return `${s.count} ${stateLabel(s.state)}`;
}

/** "42 objects: 30 In sync, 10 Failing, 2 Progressing" */
export function barText(b: ChartBar): string {
  const objects = `${b.total} ${b.total === 1 ? 'object' : 'objects'}`;
  return b.segments.length
    ? `${objects}: ${b.segments.map(segmentText).join(', ')}`
    : objects;
}

/**
 * One stacked bar, its width relative to the largest bar. The bar is a picture of the text under
 * it: each segment repeats its count and state in words (cut when narrow, in full in a tooltip),
 * and the line under the bar says them all, so nothing is told by colour alone.
 */
function Bar(props: { bar: ChartBar; max: number; label: string }) {
  const { bar, max, label } = props;
  const classes = useStyles();
  return (
    <li
      className={classes.item}
      data-testid={`chart-row-${bar.value || 'all'}`}
    >
      <Typography variant="body2" component="span" className={classes.name}>
        {label}
      </Typography>
      <Box
        className={classes.track}
        aria-hidden
        style={{ width: `${max ? (bar.total / max) * 100 : 0}%` }}
      >
        {bar.segments.map(s => (
          <SegmentBox
            key={s.state}
            state={s.state}
            count={s.count}
            total={bar.total}
          />
        ))}
      </Box>
      <Typography variant="body2" className={classes.breakdown}>
        {barText(bar)}
      </Typography>
    </li>
  );
}

const useSegmentStyles = makeStyles(theme => ({
  color: (props: { state: GitOpsState }) => {
    const color = stateColor(theme, props.state);
    return { backgroundColor: color, color: textOn(color) };
  },
}));

function SegmentBox(props: {
  state: GitOpsState;
  count: number;
  total: number;
}) {
  const classes = useStyles();
  const colors = useSegmentStyles({ state: props.state });
  const text = segmentText(props);
  return (
    <span
      className={`${classes.segment} ${colors.color}`}
      style={{ width: `${(props.count / props.total) * 100}%` }}
      title={text}
    >
      {text}
    </span>
  );
}

/** Objects by state: one bar for all, then one per cluster (or tool), largest first. */
export function StateChart(props: {
  data: StateChartData;
  by: ChartGrouping;
  onByChange: (by: ChartGrouping) => void;
}) {
  const { data, by, onByChange } = props;
  const classes = useStyles();
  const headingId = useId();
  const groupLabel = by === 'cluster' ? 'cluster' : 'tool';
  const max = Math.max(0, ...data.bars.map(b => b.total));
  return (
    <Box
      component="section"
      aria-labelledby={headingId}
      data-testid="state-chart"
    >
      <Box
        display="flex"
        flexWrap="wrap"
        alignItems="center"
        style={{ gap: 16 }}
      >
        <Typography variant="h6" component="h2" id={headingId}>
          Objects by state
        </Typography>
        <RadioGroup
          row
          aria-label="Group the chart by"
          value={by}
          onChange={e => onByChange(e.target.value as ChartGrouping)}
        >
          <FormControlLabel
            value="cluster"
            control={<Radio size="small" />}
            label="Per cluster"
          />
          <FormControlLabel
            value="tool"
            control={<Radio size="small" />}
            label="Per tool"
          />
        </RadioGroup>
      </Box>
      <ul className={classes.list} aria-label="All objects">
        <Bar bar={data.overall} max={data.overall.total} label="All" />
      </ul>
      {data.bars.length > 0 && (
        <ul
          className={classes.list}
          aria-label={`Objects by state per ${groupLabel}`}
        >
          {data.bars.map(b => (
            <Bar
              key={b.value}
              bar={b}
              max={max}
              label={by === 'tool' ? toolLabel(b.value) : b.value}
            />
          ))}
        </ul>
      )}
      {data.hiddenGroups > 0 && (
        <Typography variant="body2">
          {`${data.hiddenGroups} more ${groupLabel}s with ${data.hiddenObjects} objects not drawn: filter to see them.`}
        </Typography>
      )}
    </Box>
  );
}
