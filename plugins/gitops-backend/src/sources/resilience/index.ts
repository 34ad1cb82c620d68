export {
  CircuitBreakers,
  CircuitOpenError,
  DEFAULT_CIRCUIT_BREAKER,
  TargetBreaker,
  circuitOpenMessage,
  type CircuitBreakerOptions,
  type CircuitStateName,
  type LastSuccessLookup,
} from './breaker';
export { readCircuitBreakerOptions } from './config';
export {
  DEFAULT_RETRY,
  backoffMs,
  retryAfterMs,
  sleep,
  type RetryOptions,
} from './retry';
