/*
 * External alerts: alerts firing in the Prometheus or Alertmanager the platform team already runs,
 * shown beside the objects their labels name (served in the entity status and by `GET /alerts`).
 */
import type { AlertSeverity } from './alerts';

/** Where an external alert was read. @public */
export const EXTERNAL_ALERT_ORIGINS = ['prometheus', 'alertmanager'] as const;
/** @public */
export type ExternalAlertOrigin = (typeof EXTERNAL_ALERT_ORIGINS)[number];

/** A firing alert from a configured Prometheus (`/api/v1/alerts`) or Alertmanager (`/api/v2/alerts`). @public */
export interface ExternalAlert {
  /**
   * Alertmanager: the alert's fingerprint. Prometheus: a hash of its labels (alertname included),
   * stable as long as the labels are. Unique per endpoint.
   */
  id: string;
  /** Name of the configured endpoint (`gitops.alerts.external[].name`). */
  endpoint: string;
  origin: ExternalAlertOrigin;
  alertname: string;
  /** From the `severity` label; see {@link externalAlertSeverity}. */
  severity: AlertSeverity;
  /** `annotations.summary`, else `annotations.description`, else the alert name. */
  summary: string;
  /** `annotations.description`, when there is one. */
  description?: string;
  /** When it became active (Prometheus `activeAt`, Alertmanager `startsAt`), ISO time. */
  since: string;
  /**
   * A link to the alert: Alertmanager alerts link to their `generatorURL` (the rule's expression in
   * Prometheus) when they have one, else to the Alertmanager UI filtered by alert name; Prometheus
   * alerts link to Prometheus' alerts page searched by alert name.
   */
  url: string;
  labels: Record<string, string>;
  /** The records (`tool|cluster|namespace|kind|name`) the alert's labels name. */
  recordIds: string[];
  /** The catalog entities those records are bound to (set when read from the store). */
  entityRefs?: string[];
}

const SEVERITY_BY_LABEL: Record<string, AlertSeverity> = {
  page: 'critical',
  critical: 'critical',
  error: 'critical',
  high: 'critical',
  warning: 'warning',
  warn: 'warning',
  info: 'info',
  none: 'info',
  low: 'info',
};

/**
 * The severity of an external alert, from its `severity` label (case-insensitive):
 * `page`, `critical`, `error`, `high` → critical; `warning`, `warn` → warning;
 * `info`, `none`, `low` → info; anything else, or no label → warning.
 * @public
 */
export function externalAlertSeverity(
  label: string | undefined,
): AlertSeverity {
  const key = (label ?? '').trim().toLocaleLowerCase('en-US');
  return Object.prototype.hasOwnProperty.call(SEVERITY_BY_LABEL, key)
    ? SEVERITY_BY_LABEL[key]
    : 'warning';
}
