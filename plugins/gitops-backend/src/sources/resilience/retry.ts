/*
 * Retries of one upstream call, shared by the sources: exponential backoff with jitter, a
 * `Retry-After` reader, and a sleep the session's abort signal cuts short.
 */

/** How a source retries one upstream call. */
export interface RetryOptions {
  /** Tries per call, the first included (default 3). */
  attempts?: number;
  /** First backoff; doubles per retry (default 500 ms). */
  baseDelayMs?: number;
  /** Longest wait between two tries, Retry-After included (default 30 s). */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = {
  attempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
};

/** Exponential backoff with "equal jitter": half fixed, half random, so retries spread out. */
export function backoffMs(retry: number, options: Required<RetryOptions>) {
  const ceiling = Math.min(
    options.baseDelayMs * 2 ** retry,
    options.maxDelayMs,
  );
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Waits for `ms` or until the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/** `Retry-After` (seconds or an HTTP date) in ms; undefined when absent or unreadable. */
export function retryAfterMs(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}
