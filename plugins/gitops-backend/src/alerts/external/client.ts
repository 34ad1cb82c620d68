/*
 * Reads the active alerts of one configured Prometheus (`GET /api/v1/alerts`, firing only) or
 * Alertmanager (`GET /api/v2/alerts`, active and neither silenced nor inhibited). One request per
 * refresh, to the configured URL only: redirects are not followed and nothing in a response becomes
 * a URL the backend calls. The response is validated; errors name the endpoint and what was wrong,
 * never the token.
 */
import { nodeFetch, type FetchLike } from '../../sources/prometheus/client';
import type { ExternalAlertEndpoint } from './config';

/** An active alert as the endpoint reported it, before it is matched to records. */
export interface FetchedAlert {
  /** Null-prototype copies: label names come from the network. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Prometheus activeAt / Alertmanager startsAt, ISO. */
  since: string;
  /** Alertmanager only. */
  fingerprint?: string;
  /** Alertmanager only: the link to the rule in the Prometheus that sent it, when set. */
  generatorURL?: string;
}

export class ExternalAlertsError extends Error {
  constructor(
    message: string,
    /** A timeout, a network error, 429 or 5xx: worth another try. */
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'ExternalAlertsError';
  }
}

export interface FetchAlertsOptions {
  signal: AbortSignal;
  /** Default 10 s. */
  timeoutMs?: number;
  /** Default: node:http(s), no redirects, bounded response size. */
  fetch?: FetchLike;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** The API path and query each endpoint type is asked. */
export function alertsPath(type: ExternalAlertEndpoint['type']): string {
  return type === 'prometheus'
    ? '/api/v1/alerts'
    : '/api/v2/alerts?active=true&silenced=false&inhibited=false';
}

function shorten(value: string, max = 200): string {
  const oneLine = value.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

function networkMessage(e: unknown): string {
  const err = e as Error & { cause?: Error };
  return err?.cause?.message || err?.message || String(e);
}

/** Fetches the endpoint's active alerts; throws an {@link ExternalAlertsError} saying what went wrong. */
export async function fetchActiveAlerts(
  endpoint: ExternalAlertEndpoint,
  options: FetchAlertsOptions,
): Promise<FetchedAlert[]> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const path = alertsPath(endpoint.type);
  const where = `${endpoint.type} ${endpoint.name}: GET ${path.split('?')[0]}`;
  const secrets = secretsOf(endpoint);
  const fail = (what: string, retryable = false) =>
    new ExternalAlertsError(redact(`${where}: ${what}`, secrets), retryable);

  if (options.signal.aborted) throw fail('aborted');
  // One controller per request, unlinked from the caller's signal afterwards (AbortSignal.any()
  // would keep every request's signal alive as long as a long-lived caller signal).
  const request = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    request.abort();
  }, timeoutMs);
  const abort = () => request.abort();
  options.signal.addEventListener('abort', abort, { once: true });
  const fetch = options.fetch ?? nodeFetch({ rejectUnauthorized: true });
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (endpoint.authorization) headers.Authorization = endpoint.authorization;

  let res: Response;
  let body: string;
  try {
    res = await fetch(`${endpoint.url}${path}`, {
      headers,
      signal: request.signal,
    });
    body = await res.text();
  } catch (e) {
    if (timedOut) throw fail(`timed out after ${timeoutMs} ms`, true);
    if (options.signal.aborted) throw fail('aborted');
    throw fail(networkMessage(e), true);
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', abort);
  }
  if (!res.ok) {
    const detail = errorDetail(body);
    throw fail(
      `${res.status} ${res.statusText || 'error'}${
        detail ? `: ${detail}` : ''
      }`,
      res.status === 429 || res.status >= 500,
    );
  }
  const parsed =
    endpoint.type === 'prometheus'
      ? parsePrometheusAlerts(body)
      : parseAlertmanagerAlerts(body);
  if (typeof parsed === 'string') throw fail(`invalid response: ${parsed}`);
  return parsed;
}

/** The Authorization value and its credential part, cut out of every message. */
function secretsOf(endpoint: ExternalAlertEndpoint): string[] {
  const auth = endpoint.authorization;
  if (!auth) return [];
  const credential = auth.replace(/^\S+\s+/, '');
  const out = [auth, credential];
  if (auth.startsWith('Basic ')) {
    const decoded = Buffer.from(credential, 'base64').toString('utf8');
    out.push(decoded, ...decoded.split(':'));
  }
  return out.filter(s => s.length >= 4).sort((a, b) => b.length - a.length);
}

function redact(message: string, secrets: string[]): string {
  let out = message;
  for (const s of secrets) out = out.split(s).join('<redacted>');
  return out;
}

/** An API's own error (`{"error": …}`, Alertmanager's `{"message": …}`) or a short plain-text body. */
function errorDetail(body: string): string {
  try {
    const o = JSON.parse(body);
    const message = o?.error ?? o?.message;
    if (typeof message === 'string') return shorten(message);
  } catch {
    // not JSON
  }
  const trimmed = body.trim();
  return trimmed && trimmed.length <= 200 && !trimmed.startsWith('<')
    ? shorten(trimmed)
    : '';
}

function parseJson(body: string): { value: unknown } | string {
  try {
    return { value: JSON.parse(body) };
  } catch {
    const start = body.trimStart().slice(0, 40);
    return start.startsWith('<')
      ? 'HTML, not JSON'
      : `not JSON (${shorten(JSON.stringify(start), 60)})`;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

/** A null-prototype copy of a string map, or why it is not one. */
function stringMap(
  value: unknown,
  what: string,
): Record<string, string> | string {
  if (!isObject(value)) return `${what} is not an object`;
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string')
      return `${what}.${shorten(k, 40)} is not a string`;
    out[k] = v;
  }
  return out;
}

function isoTime(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The firing alerts of a Prometheus `/api/v1/alerts` body, or what is wrong with it. */
export function parsePrometheusAlerts(body: string): FetchedAlert[] | string {
  const json = parseJson(body);
  if (typeof json === 'string') return json;
  const o = json.value;
  if (!isObject(o)) return 'not an object';
  if (o.status !== 'success') {
    return `status ${shorten(JSON.stringify(o.status) ?? 'undefined', 40)}${
      typeof o.error === 'string' ? `: ${shorten(o.error)}` : ''
    }`;
  }
  if (!isObject(o.data) || !Array.isArray(o.data.alerts)) {
    return 'data.alerts is not an array';
  }
  const out: FetchedAlert[] = [];
  for (const [i, raw] of (o.data.alerts as unknown[]).entries()) {
    const what = `data.alerts[${i}]`;
    if (!isObject(raw)) return `${what} is not an object`;
    const labels = stringMap(raw.labels, `${what}.labels`);
    if (typeof labels === 'string') return labels;
    if (!labels.alertname) return `${what} has no alertname label`;
    if (typeof raw.state !== 'string') return `${what}.state is not a string`;
    // pending: the expression holds for less than the rule's `for`; inactive ones are not listed.
    if (raw.state !== 'firing') continue;
    const annotations =
      raw.annotations === undefined
        ? Object.create(null)
        : stringMap(raw.annotations, `${what}.annotations`);
    if (typeof annotations === 'string') return annotations;
    const since = isoTime(raw.activeAt);
    if (!since) return `${what}.activeAt is not a time`;
    out.push({ labels, annotations, since });
  }
  return out;
}

/** The alerts of an Alertmanager `/api/v2/alerts` body, or what is wrong with it. */
export function parseAlertmanagerAlerts(body: string): FetchedAlert[] | string {
  const json = parseJson(body);
  if (typeof json === 'string') return json;
  if (!Array.isArray(json.value)) return 'not an array of alerts';
  const out: FetchedAlert[] = [];
  for (const [i, raw] of (json.value as unknown[]).entries()) {
    const what = `[${i}]`;
    if (!isObject(raw)) return `${what} is not an object`;
    const labels = stringMap(raw.labels, `${what}.labels`);
    if (typeof labels === 'string') return labels;
    if (!labels.alertname) return `${what} has no alertname label`;
    const annotations = stringMap(raw.annotations, `${what}.annotations`);
    if (typeof annotations === 'string') return annotations;
    if (
      typeof raw.fingerprint !== 'string' ||
      !/^[0-9a-f]{1,64}$/i.test(raw.fingerprint)
    ) {
      return `${what}.fingerprint is not a hexadecimal string`;
    }
    const since = isoTime(raw.startsAt);
    if (!since) return `${what}.startsAt is not a time`;
    const alert: FetchedAlert = {
      labels,
      annotations,
      since,
      fingerprint: raw.fingerprint.toLowerCase(),
    };
    if (typeof raw.generatorURL === 'string' && raw.generatorURL) {
      alert.generatorURL = raw.generatorURL;
    }
    out.push(alert);
  }
  return out;
}
