/* The alert model lives in gitops-common (the API serves it). */
export {
  ALERT_RULE_NAMES,
  ALERT_SEVERITIES,
  ALERT_STATUSES,
  alertId,
  type AlertEvent,
  type AlertLabels,
  type AlertRuleName,
  type AlertSeverity,
  type AlertState,
  type AlertStatus,
  type AlertTransition,
  type AlertTransitionType,
} from '@gitops-status/plugin-gitops-common';
