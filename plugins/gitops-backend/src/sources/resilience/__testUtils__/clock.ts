/*
 * Test-only: a fake wall clock for cockatiel, which reads Date.now() and takes no clock. Only Date
 * is faked; timers, sockets and AbortSignal.timeout keep real time, so real servers still work.
 */
const REAL_TIMERS = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
] as const;

export interface FakeClock {
  /** Epoch ms the clock shows. */
  now(): number;
  advance(ms: number): void;
  restore(): void;
}

/** Freezes Date at `start` (epoch ms); it moves only by advance(). */
export function fakeDate(start: number): FakeClock {
  jest.useFakeTimers({ doNotFake: [...REAL_TIMERS], now: start });
  let now = start;
  return {
    now: () => now,
    advance(ms) {
      now += ms;
      jest.setSystemTime(now);
    },
    restore() {
      jest.useRealTimers();
    },
  };
}
