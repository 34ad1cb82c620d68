/*
 * A minimal client for Prometheus' HTTP API (`GET /api/v1/query`, instant vector queries): a
 * timeout per attempt, retries with backoff and jitter for transient failures, strict validation of
 * the response, and error messages that name the instance and the query but never a header value.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { backoffMs as backoff, sleep } from '../resilience';
import type { PrometheusConfig } from './config';

/** The part of `fetch` the client uses; Node's global fetch fits. */
export type FetchLike = (
  url: string,
  init: { headers: Record<string, string>; signal: AbortSignal },
) => Promise<Response>;

/** One element of an instant vector result. */
export interface VectorSample {
  metric: Record<string, string>;
  /** [evaluation time in seconds, value as Prometheus formats it] */
  value: [number, string];
}

export class PrometheusQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrometheusQueryError';
  }
}

/** Larger answers are refused rather than buffered: ~100 000 series of a few hundred bytes. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);
/** Longest wait between two attempts of a query. */
const MAX_BACKOFF_MS = 30_000;

class ResponseTooLarge extends Error {}

/**
 * `fetch` over node:http(s), so a private CA (`caData`, `caFile`) and `skipTLSVerify` work without
 * a global agent. Returns a standard Response.
 */
export function nodeFetch(tls: {
  ca?: string;
  rejectUnauthorized: boolean;
}): FetchLike {
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const target = new URL(url);
      const request =
        target.protocol === 'https:' ? https.request : http.request;
      const req = request(
        target,
        {
          method: 'GET',
          headers: init.headers,
          signal: init.signal,
          ...(target.protocol === 'https:'
            ? { ca: tls.ca, rejectUnauthorized: tls.rejectUnauthorized }
            : {}),
        },
        res => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              res.destroy(
                new ResponseTooLarge(
                  `response larger than ${MAX_RESPONSE_BYTES} bytes`,
                ),
              );
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status < 200 || status > 599) {
              reject(new Error(`unexpected HTTP status ${status}`));
              return;
            }
            resolve(
              new Response(
                NULL_BODY_STATUS.has(status) ? null : Buffer.concat(chunks),
                {
                  status,
                  statusText: res.statusMessage ?? '',
                  headers: Object.entries(res.headers).flatMap(([k, v]) =>
                    v === undefined
                      ? []
                      : (Array.isArray(v) ? v : [v]).map(
                          x => [k, x] as [string, string],
                        ),
                  ),
                },
              ),
            );
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
}

export interface PrometheusClientOptions {
  requestTimeoutMs: number;
  fetch?: FetchLike;
  /** Attempts per query, including the first (default 3). */
  attempts?: number;
  /** Backoff before the first retry; doubles each time, with jitter (default 500 ms). */
  backoffMs?: number;
  /** Told about each retried failure (for logs). */
  onRetry?: (message: string, attempt: number) => void;
}

interface Failure {
  message: string;
  /** Worth another attempt: connection problems, timeouts, 5xx, 429. */
  transient: boolean;
}

function isAbort(e: unknown): boolean {
  const name = (e as Error)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

/** `connect ECONNREFUSED 127.0.0.1:9090`, `self-signed certificate in certificate chain`… */
function networkMessage(e: unknown): string {
  const err = e as Error & { cause?: unknown };
  const cause = err?.cause as (Error & { code?: string }) | undefined;
  if (cause?.message) return cause.message;
  return err?.message ?? String(e);
}

/** Certificate problems do not go away by asking again. */
function isTlsError(e: unknown): boolean {
  const err = e as { code?: unknown; cause?: { code?: unknown } };
  const code = String(err?.code ?? err?.cause?.code ?? '');
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/.test(code);
}

function shorten(value: string, max = 300): string {
  const oneLine = value.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

export class PrometheusClient {
  private readonly fetch: FetchLike;
  private readonly secrets: string[];
  private readonly baseUrl: string;

  constructor(
    private readonly config: PrometheusConfig,
    private readonly options: PrometheusClientOptions,
  ) {
    this.fetch =
      options.fetch ??
      nodeFetch({
        ca:
          config.caData ??
          (config.caFile ? fs.readFileSync(config.caFile, 'utf8') : undefined),
        rejectUnauthorized: !config.skipTLSVerify,
      });
    this.baseUrl = config.url.replace(/\/+$/, '');
    // Header values, and their token part (`Bearer <token>`), are cut out of every message.
    this.secrets = Object.values(config.headers)
      .flatMap(v => [v, v.replace(/^\S+\s+/, '')])
      .filter(v => v.length >= 4)
      .sort((a, b) => b.length - a.length);
  }

  private redact(message: string): string {
    let out = message;
    for (const s of this.secrets) out = out.split(s).join('<redacted>');
    return out;
  }

  /**
   * Runs an instant query and returns its vector. `what` names the query in errors
   * (`prometheus default: query gotk_resource_info: 503 Service Unavailable`).
   */
  async query(
    expr: string,
    what: string,
    signal: AbortSignal,
  ): Promise<VectorSample[]> {
    const attempts = Math.max(1, this.options.attempts ?? 3);
    const backoffMs = this.options.backoffMs ?? 500;
    let failure: Failure | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) {
        await sleep(
          backoff(attempt - 2, {
            attempts,
            baseDelayMs: backoffMs,
            maxDelayMs: MAX_BACKOFF_MS,
          }),
          signal,
        );
      }
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
      const result = await this.attempt(expr, signal);
      if (Array.isArray(result)) return result;
      failure = result;
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
      if (!failure.transient) break;
      if (attempt < attempts) {
        this.options.onRetry?.(this.describe(what, failure), attempt);
      }
    }
    const tries =
      failure!.transient && attempts > 1 ? ` (${attempts} attempts)` : '';
    throw new PrometheusQueryError(`${this.describe(what, failure!)}${tries}`);
  }

  private describe(what: string, failure: Failure): string {
    return this.redact(
      `prometheus ${this.config.name}: query ${what}: ${failure.message}`,
    );
  }

  private async attempt(
    expr: string,
    signal: AbortSignal,
  ): Promise<VectorSample[] | Failure> {
    const timeout = AbortSignal.timeout(this.options.requestTimeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    const url = `${this.baseUrl}/api/v1/query?query=${encodeURIComponent(
      expr,
    )}`;
    let res: Response;
    let body: string;
    try {
      res = await this.fetch(url, {
        headers: { Accept: 'application/json', ...this.config.headers },
        signal: combined,
      });
      body = await res.text();
    } catch (e) {
      if (timeout.aborted && !signal.aborted) {
        return {
          message: `timed out after ${this.options.requestTimeoutMs} ms`,
          transient: true,
        };
      }
      if (signal.aborted || isAbort(e)) {
        return { message: 'aborted', transient: false };
      }
      if (
        e instanceof ResponseTooLarge ||
        (e as Error)?.cause instanceof ResponseTooLarge
      ) {
        return { message: (e as Error).message, transient: false };
      }
      return { message: networkMessage(e), transient: !isTlsError(e) };
    }

    if (!res.ok) {
      return {
        message: `${res.status} ${res.statusText || 'error'}${errorDetail(
          body,
        )}`,
        transient: res.status >= 500 || res.status === 429,
      };
    }
    const parsed = parseVector(body);
    return typeof parsed === 'string'
      ? { message: `invalid response: ${parsed}`, transient: false }
      : parsed;
  }
}

/** Prometheus' own error (`bad_data: invalid parameter "query": …`) or a short plain-text body. */
function errorDetail(body: string): string {
  try {
    const o = JSON.parse(body);
    if (o && typeof o.error === 'string') {
      return `: ${shorten(
        typeof o.errorType === 'string'
          ? `${o.errorType}: ${o.error}`
          : o.error,
      )}`;
    }
  } catch {
    // not JSON
  }
  const textBody = body.trim();
  if (textBody && textBody.length <= 300 && !textBody.startsWith('<')) {
    return `: ${shorten(textBody)}`;
  }
  return '';
}

/** The vector of a successful instant query, or what is wrong with the body. */
export function parseVector(body: string): VectorSample[] | string {
  let o: any;
  try {
    o = JSON.parse(body);
  } catch {
    return `not JSON (${shorten(JSON.stringify(body.slice(0, 40)), 60)})`;
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) return 'not an object';
  if (o.status !== 'success') {
    return `status ${JSON.stringify(o.status)}${
      typeof o.error === 'string' ? `: ${shorten(o.error)}` : ''
    }`;
  }
  const data = o.data;
  if (!data || typeof data !== 'object') return 'no data';
  if (data.resultType !== 'vector') {
    return `resultType ${JSON.stringify(data.resultType)}, expected vector`;
  }
  if (!Array.isArray(data.result)) return 'data.result is not an array';
  const samples: VectorSample[] = [];
  for (const [i, s] of (data.result as unknown[]).entries()) {
    const sample = s as { metric?: unknown; value?: unknown };
    const metric = sample?.metric;
    if (!metric || typeof metric !== 'object' || Array.isArray(metric)) {
      return `result[${i}].metric is not an object`;
    }
    if (!Object.values(metric).every(v => typeof v === 'string')) {
      return `result[${i}].metric has a non-string label value`;
    }
    const value = sample.value;
    if (
      !Array.isArray(value) ||
      value.length !== 2 ||
      typeof value[0] !== 'number' ||
      typeof value[1] !== 'string'
    ) {
      return `result[${i}].value is not [time, "value"]`;
    }
    samples.push({
      // A null-prototype copy: label names come from the network (`__proto__` included).
      metric: Object.assign(
        Object.create(null),
        metric as Record<string, string>,
      ),
      value: [value[0], value[1]],
    });
  }
  return samples;
}
