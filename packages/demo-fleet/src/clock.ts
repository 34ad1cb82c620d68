/**
 * The scenario clock. The scenario is a pure function of elapsed(), so a
 * manual clock makes every state reproducible in tests, and advance() on the
 * real clock lets a demo skip ahead.
 */
export interface ScenarioClock {
  readonly kind: 'real' | 'manual';
  /** Epoch ms when the scenario started. */
  readonly startTime: number;
  /** Scenario time, epoch ms. */
  now(): number;
  /** Milliseconds since the scenario started. */
  elapsed(): number;
  advance(ms: number): void;
}

export const MANUAL_CLOCK_START = Date.UTC(2025, 0, 1, 0, 0, 0);

export function createClock(
  kind: 'real' | 'manual',
  startTime?: number | Date,
): ScenarioClock {
  const explicitStart =
    startTime === undefined ? undefined : new Date(startTime).getTime();
  if (kind === 'manual') {
    const start = explicitStart ?? MANUAL_CLOCK_START;
    let elapsed = 0;
    return {
      kind,
      startTime: start,
      now: () => start + elapsed,
      elapsed: () => elapsed,
      advance(ms) {
        if (!(ms >= 0))
          throw new Error(
            `advance() needs a non-negative number of ms, got ${ms}`,
          );
        elapsed += ms;
      },
    };
  }
  // Whole seconds, so timestamps derived from the start look like Kubernetes ones.
  const wallStart = Math.floor(Date.now() / 1000) * 1000;
  const start = explicitStart ?? wallStart;
  let offset = 0;
  const elapsedNow = () => Date.now() - wallStart + offset;
  return {
    kind,
    startTime: start,
    now: () => start + elapsedNow(),
    elapsed: elapsedNow,
    advance(ms) {
      if (!(ms >= 0))
        throw new Error(
          `advance() needs a non-negative number of ms, got ${ms}`,
        );
      offset += ms;
    },
  };
}

/** RFC 3339 with second precision, as Kubernetes serialises metav1.Time. */
export function k8sTime(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000)
    .toISOString()
    .replace('.000Z', 'Z');
}
