/*
 * A circuit breaker per source target (cockatiel): after N consecutive failed collections of a
 * target, it is not called at all for a while — its collection fails at once with a message saying
 * until when — then one trial collection decides whether it is back (closed) or not (open again).
 * A target that is down costs nothing but its error report, and never holds a session.
 *
 * The unit is one collection of a target (its calls and their retries, which the sources do
 * themselves, with a timeout per try): a call that fails after others of the same collection
 * succeeded (an Argo CD login, then a failing list) is still a failed collection.
 */
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';

export interface CircuitBreakerOptions {
  /** Consecutive failed collections of a target that open its circuit (default 5). */
  failures?: number;
  /** How long an open circuit refuses calls before it lets one trial through (default 60 s). */
  halfOpenAfterMs?: number;
}

export const DEFAULT_CIRCUIT_BREAKER: Required<CircuitBreakerOptions> = {
  failures: 5,
  halfOpenAfterMs: 60_000,
};

/**
 * When a target last answered a collection, as recorded by whichever replica collected it. Circuits
 * live in one replica's memory; with this, a replica whose circuit opened trusts a later success
 * recorded by another and closes it, instead of reporting the target as failing over that success.
 */
export type LastSuccessLookup = (
  targetId: string,
) => Promise<string | undefined>;

/** Thrown instead of calling a target whose circuit is open. */
export class CircuitOpenError extends Error {
  constructor(
    readonly targetId: string,
    /** Consecutive failures so far (the trial after halfOpenAfter adds one when it fails). */
    readonly failures: number,
    /** When the next trial call is let through. */
    readonly retryAt: Date,
    /** The message of the failure that opened (or kept open) the circuit. */
    readonly lastFailure?: string,
  ) {
    super(
      `circuit open after ${failures} consecutive failures; next attempt after ${retryAt.toISOString()}`,
    );
    this.name = 'CircuitOpenError';
  }
}

/** Wraps a failure that happened because the session ended: not the target's fault. */
class SessionEnded extends Error {
  constructor(readonly error: unknown) {
    super('session ended');
  }
}

export type CircuitStateName = 'closed' | 'open' | 'half-open';

/** The circuit of one target. Calls through it are expected one at a time (one per session). */
export class TargetBreaker {
  private policy: CircuitBreakerPolicy;
  private consecutive = 0;
  private openedAt = 0;
  private lastFailure?: string;

  constructor(
    readonly targetId: string,
    private readonly options: Required<CircuitBreakerOptions>,
    private readonly lastSuccess?: LastSuccessLookup,
  ) {
    this.policy = this.newPolicy();
  }

  private newPolicy(): CircuitBreakerPolicy {
    const policy = circuitBreaker(
      handleWhen(e => !(e instanceof SessionEnded)),
      {
        halfOpenAfter: this.options.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(this.options.failures),
      },
    );
    // cockatiel stamps Date.now() when it opens and emits this in the same tick.
    policy.onBreak(() => {
      this.openedAt = Date.now();
    });
    return policy;
  }

  /** Closes an open circuit when another replica recorded a success after it opened. */
  private async closeIfAnsweredElsewhere(): Promise<void> {
    if (!this.lastSuccess || this.state !== 'open') return;
    const at = Date.parse((await this.lastSuccess(this.targetId)) ?? '');
    if (at > this.openedAt) {
      this.policy = this.newPolicy();
      this.consecutive = 0;
      this.lastFailure = undefined;
    }
  }

  get state(): CircuitStateName {
    switch (this.policy.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      default:
        return 'open';
    }
  }

  /**
   * Runs `call` unless the circuit is open, in which case it throws {@link CircuitOpenError}
   * without calling. A failure after `signal` aborted (the session ended) is not counted.
   */
  async execute<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.closeIfAnsweredElsewhere().catch(() => undefined);
    try {
      const result = await this.policy.execute(async () => {
        try {
          return await call();
        } catch (e) {
          throw signal?.aborted ? new SessionEnded(e) : e;
        }
      });
      this.consecutive = 0;
      this.lastFailure = undefined;
      return result;
    } catch (e) {
      if (e instanceof SessionEnded) throw e.error;
      if (e instanceof BrokenCircuitError) {
        throw new CircuitOpenError(
          this.targetId,
          this.consecutive,
          new Date(this.openedAt + this.options.halfOpenAfterMs),
          this.lastFailure,
        );
      }
      this.consecutive++;
      this.lastFailure = e instanceof Error ? e.message : String(e);
      throw e;
    }
  }
}

/**
 * The circuits of every target of a plugin instance, by target id (`argocd-api:main`,
 * `prometheus:default`, `kubernetes:prod-eu`…). Sources share one, so the settings are the same
 * everywhere; a source given none makes its own with the defaults.
 */
export class CircuitBreakers {
  private readonly options: Required<CircuitBreakerOptions>;
  private readonly byTarget = new Map<string, TargetBreaker>();

  constructor(
    options: CircuitBreakerOptions = {},
    private readonly lastSuccess?: LastSuccessLookup,
  ) {
    this.options = {
      failures: options.failures ?? DEFAULT_CIRCUIT_BREAKER.failures,
      halfOpenAfterMs:
        options.halfOpenAfterMs ?? DEFAULT_CIRCUIT_BREAKER.halfOpenAfterMs,
    };
    if (
      !Number.isSafeInteger(this.options.failures) ||
      this.options.failures < 1
    ) {
      throw new RangeError(
        `circuit breaker failures must be a positive integer, got ${this.options.failures}`,
      );
    }
    if (!(this.options.halfOpenAfterMs >= 0)) {
      throw new RangeError(
        `circuit breaker halfOpenAfter must not be negative, got ${this.options.halfOpenAfterMs} ms`,
      );
    }
  }

  breakerFor(targetId: string): TargetBreaker {
    let breaker = this.byTarget.get(targetId);
    if (!breaker) {
      breaker = new TargetBreaker(targetId, this.options, this.lastSuccess);
      this.byTarget.set(targetId, breaker);
    }
    return breaker;
  }
}

/** What a target reports while its circuit is open: `<who>: circuit open …; last failure: …`. */
export function circuitOpenMessage(who: string, e: CircuitOpenError): string {
  return `${who}: ${e.message}${
    e.lastFailure ? `; last failure: ${e.lastFailure}` : ''
  }`;
}
