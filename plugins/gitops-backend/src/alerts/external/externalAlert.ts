/*
 * A fetched alert as the plugin shows it: id, severity, summary and a link. Pure.
 */
import { createHash } from 'node:crypto';
import {
  externalAlertSeverity,
  type ExternalAlert,
} from '@gitops-status/plugin-gitops-common';
import { MAX_MESSAGE_BYTES, MAX_URL_BYTES, text } from '../../normalize/text';
import type { FetchedAlert } from './client';
import type { ExternalAlertEndpoint } from './config';

/** Largest summary kept, in UTF-8 bytes (descriptions: MAX_MESSAGE_BYTES). */
const MAX_SUMMARY_BYTES = 1024;
/** Largest label value kept on the stored alert (matching sees the whole value). */
const MAX_LABEL_BYTES = 1024;
/** The alertname column holds 255 characters. */
const MAX_ALERTNAME_BYTES = 255;

/**
 * A stable id for a Prometheus alert: Prometheus gives none, and an alert is identified by its
 * labels (alertname included), so the same labels always give the same id.
 */
export function prometheusAlertId(labels: Record<string, string>): string {
  const canonical = Object.keys(labels)
    .sort((a, b) => Number(a > b) - Number(a < b))
    .map(k => `${JSON.stringify(k)}:${JSON.stringify(labels[k])}`)
    .join(',');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/** An http(s) URL as given, or undefined: a link must not be `javascript:` or relative. */
function httpLink(value: string | undefined): string | undefined {
  if (!value || value.length > MAX_URL_BYTES) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:'
      ? url.href
      : undefined;
  } catch {
    return undefined;
  }
}

/** Alertmanager's matcher syntax: a double-quoted value with `\` and `"` escaped. */
function quoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The link shown for an alert (see {@link ExternalAlert.url}). */
export function alertLink(
  endpoint: Pick<ExternalAlertEndpoint, 'type' | 'linkUrl'>,
  alertname: string,
  generatorURL?: string,
): string {
  if (endpoint.type === 'prometheus') {
    return `${endpoint.linkUrl}/alerts?search=${encodeURIComponent(alertname)}`;
  }
  return (
    httpLink(generatorURL) ??
    `${endpoint.linkUrl}/#/alerts?filter=${encodeURIComponent(
      `{alertname=${quoted(alertname)}}`,
    )}`
  );
}

export function toExternalAlert(
  fetched: FetchedAlert,
  endpoint: ExternalAlertEndpoint,
  recordIds: string[],
): ExternalAlert {
  const { labels, annotations } = fetched;
  const alertname = labels.alertname;
  const description = text(annotations.description, MAX_MESSAGE_BYTES);
  const summary =
    text(annotations.summary, MAX_SUMMARY_BYTES) ??
    text(annotations.description, MAX_SUMMARY_BYTES) ??
    text(alertname, MAX_SUMMARY_BYTES)!;
  // fromEntries defines own properties, so a `__proto__` label stays a label.
  const kept: Record<string, string> = Object.fromEntries(
    Object.keys(labels)
      .sort()
      .map(k => [k, text(labels[k], MAX_LABEL_BYTES) ?? labels[k]]),
  );
  const alert: ExternalAlert = {
    id:
      endpoint.type === 'alertmanager' && fetched.fingerprint
        ? fetched.fingerprint
        : prometheusAlertId(labels),
    endpoint: endpoint.name,
    origin: endpoint.type,
    alertname: text(alertname, MAX_ALERTNAME_BYTES)!,
    severity: externalAlertSeverity(labels.severity),
    summary,
    since: fetched.since,
    url: alertLink(endpoint, alertname, fetched.generatorURL),
    labels: kept,
    recordIds: [...recordIds].sort(),
  };
  if (description) alert.description = description;
  return alert;
}
