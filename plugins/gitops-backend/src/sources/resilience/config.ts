import { readDurationFromConfig, type Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';
import type { CircuitBreakerOptions } from './breaker';

const KEY = 'gitops.collection.circuitBreaker';

/**
 * `gitops.collection.circuitBreaker`: `failures` (consecutive failed collections that open a
 * target's circuit) and `halfOpenAfter` (a duration). Absent keys keep the defaults.
 */
export function readCircuitBreakerOptions(
  config: Config,
): CircuitBreakerOptions {
  const c = config.getOptionalConfig(KEY);
  if (!c) return {};
  const failures = c.getOptionalNumber('failures');
  if (
    failures !== undefined &&
    (!Number.isSafeInteger(failures) || failures < 1)
  ) {
    throw new InputError(`${KEY}.failures must be a positive integer`);
  }
  return {
    failures,
    halfOpenAfterMs: c.has('halfOpenAfter')
      ? durationToMilliseconds(
          readDurationFromConfig(c, { key: 'halfOpenAfter' }),
        )
      : undefined,
  };
}
