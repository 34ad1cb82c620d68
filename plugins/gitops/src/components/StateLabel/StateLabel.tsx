import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import type { GitOpsState } from '@gitops-status/plugin-gitops-common';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';

const LABELS: Record<GitOpsState, string> = {
  ok: 'In sync',
  progressing: 'Progressing',
  warning: 'Out of sync',
  error: 'Failing',
  suspended: 'Suspended',
  unknown: 'Unknown',
};

/** A state's label as a person reads it. @public */
export function stateLabel(state: GitOpsState): string {
  return LABELS[state] ?? state;
}

const useStyles = makeStyles(theme => ({
  // The look of core-components' Status, whose span also wraps the words.
  label: {
    fontWeight: theme.typography.fontWeightMedium as number,
    alignItems: 'baseline',
    display: 'flex',
  },
}));

/** The state's icon, decorative: core-components marks its Status span aria-hidden. */
function StateIcon(props: { state: GitOpsState }) {
  switch (props.state) {
    case 'ok':
      return <StatusOK />;
    case 'progressing':
      return <StatusRunning />;
    case 'warning':
      return <StatusWarning />;
    case 'error':
      return <StatusError />;
    case 'suspended':
      return <StatusAborted />;
    default:
      return <StatusPending />;
  }
}

/**
 * A state shown with an icon and its words: never by colour alone. The words sit outside the
 * Status component, which hides its children from screen readers (aria-hidden).
 * @public
 */
export function StateLabel(props: { state: GitOpsState; text?: string }) {
  const classes = useStyles();
  const text = props.text ?? stateLabel(props.state);
  return (
    <Typography component="span" className={classes.label}>
      <StateIcon state={props.state} />
      <span>{text}</span>
    </Typography>
  );
}
