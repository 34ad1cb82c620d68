/*
 * The alert model: one state per (rule, subject) episode, and the transitions between states that
 * notifications are sent for (served by `GET /alerts` and in the entity status).
 */

/** The built-in alert rules. @public */
export const ALERT_RULE_NAMES = [
  'KustomizationNotReady',
  'HelmReleaseNotReady',
  'GitRepositoryNotReady',
  'OCIRepositoryNotReady',
  'BucketNotReady',
  'HelmRepositoryNotReady',
  'ArgoAppNotSynced',
  'ArgoAppDegraded',
  'ArgoAppMissing',
  'FluxConfigNonCompliant',
  'FluxExtensionProvisioningFailed',
  'SourceStale',
] as const;
/** @public */
export type AlertRuleName = (typeof ALERT_RULE_NAMES)[number];

/** @public */
export const ALERT_SEVERITIES = ['critical', 'warning', 'info'] as const;
/** @public */
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/**
 * pending: the condition holds, for less than the rule's `for`; firing: it held for `for` (a
 * 'fired' transition was recorded); resolved: it stopped holding for `resolveAfter` after firing.
 * @public
 */
export const ALERT_STATUSES = ['pending', 'firing', 'resolved'] as const;
/** @public */
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** What an alert is about; a label that does not apply is absent. @public */
export interface AlertLabels {
  cluster?: string;
  namespace?: string;
  kind?: string;
  name?: string;
  tool?: string;
  /** The source target (`kubernetes:prod`, `argocd-api:main`) of a source-level alert. */
  source?: string;
}

/** @public */
export interface AlertState {
  /** `<rule>:<subject>`. */
  id: string;
  rule: string;
  severity: AlertSeverity;
  /** The record id (`tool|cluster|namespace|kind|name`), a source target id or an extension key. */
  subject: string;
  /** The catalog entities the subject is bound to (record subjects only). */
  entityRefs?: string[];
  status: AlertStatus;
  /** When this episode's condition was first seen true (ISO time). */
  since: string;
  firedAt?: string;
  resolvedAt?: string;
  /** While firing: when the condition was first seen false again (the resolve timer). */
  okSince?: string;
  summary: string;
  labels: AlertLabels;
}

/** @public */
export type AlertTransitionType = 'fired' | 'resolved';

/** A state change notifications are sent for: exactly one 'fired' and one 'resolved' per episode. @public */
export interface AlertTransition {
  alertId: string;
  rule: string;
  severity: AlertSeverity;
  subject: string;
  transition: AlertTransitionType;
  /** ISO time. */
  at: string;
  summary: string;
  labels: AlertLabels;
  entityRefs?: string[];
}

/** One row of the transition history (`gitops_alert_events`). @public */
export interface AlertEvent {
  id: number;
  alertId: string;
  rule: string;
  severity: AlertSeverity;
  transition: AlertTransitionType;
  at: string;
  summary: string;
}

/** @public */
export function alertId(rule: string, subject: string): string {
  return `${rule}:${subject}`;
}
