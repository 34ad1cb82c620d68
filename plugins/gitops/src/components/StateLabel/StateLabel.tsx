import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import type { GitOpsState } from '@gitops-status/plugin-gitops-common';

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

/** A state shown with an icon and its words: never by colour alone. @public */
export function StateLabel(props: { state: GitOpsState; text?: string }) {
  const text = props.text ?? stateLabel(props.state);
  switch (props.state) {
    case 'ok':
      return <StatusOK>{text}</StatusOK>;
    case 'progressing':
      return <StatusRunning>{text}</StatusRunning>;
    case 'warning':
      return <StatusWarning>{text}</StatusWarning>;
    case 'error':
      return <StatusError>{text}</StatusError>;
    case 'suspended':
      return <StatusAborted>{text}</StatusAborted>;
    default:
      return <StatusPending>{text}</StatusPending>;
  }
}
