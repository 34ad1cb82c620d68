import { ConfigReader } from '@backstage/config';
import {
  CircuitBreakers,
  CircuitOpenError,
  circuitOpenMessage,
  readCircuitBreakerOptions,
} from '.';
import { fakeDate, type FakeClock } from './__testUtils__/clock';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

describe('TargetBreaker', () => {
  let clock: FakeClock;
  beforeEach(() => {
    clock = fakeDate(T0);
  });
  afterEach(() => clock.restore());

  /** An upstream call that fails while `failing` is set, counting its calls. */
  function upstream() {
    const u = {
      calls: 0,
      failing: true,
      call: async () => {
        u.calls++;
        if (u.failing) throw new Error(`upstream: 503 (call ${u.calls})`);
        return 'ok';
      },
    };
    return u;
  }

  it('opens after 5 consecutive failures and then calls nothing until halfOpenAfter', async () => {
    const breaker = new CircuitBreakers().breakerFor('argocd-api:main');
    const u = upstream();
    for (let i = 1; i <= 5; i++) {
      await expect(breaker.execute(u.call)).rejects.toThrow(
        `upstream: 503 (call ${i})`,
      );
    }
    expect(breaker.state).toBe('open');

    // Open: refused at once, upstream not called, the message says until when.
    const refused = breaker.execute(u.call);
    await expect(refused).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(refused).rejects.toThrow(
      'circuit open after 5 consecutive failures; next attempt after 2026-01-01T00:01:00.000Z',
    );
    await expect(refused).rejects.toMatchObject({
      targetId: 'argocd-api:main',
      lastFailure: 'upstream: 503 (call 5)',
    });
    clock.advance(59_999);
    await expect(breaker.execute(u.call)).rejects.toBeInstanceOf(
      CircuitOpenError,
    );
    expect(u.calls).toBe(5);

    // After 60 s, one trial call; its success closes the circuit.
    clock.advance(1);
    u.failing = false;
    await expect(breaker.execute(u.call)).resolves.toBe('ok');
    expect(u.calls).toBe(6);
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(u.call)).resolves.toBe('ok');
    expect(u.calls).toBe(7);
  });

  it('a failed trial opens the circuit again for another halfOpenAfter', async () => {
    const breaker = new CircuitBreakers({
      failures: 2,
      halfOpenAfterMs: 10_000,
    }).breakerFor('azure:default');
    const u = upstream();
    await expect(breaker.execute(u.call)).rejects.toThrow();
    await expect(breaker.execute(u.call)).rejects.toThrow();
    clock.advance(10_000);
    await expect(breaker.execute(u.call)).rejects.toThrow('(call 3)');
    expect(breaker.state).toBe('open');
    // Reopened at T0 + 10 s: next trial at T0 + 20 s.
    await expect(breaker.execute(u.call)).rejects.toThrow(
      'circuit open after 3 consecutive failures; next attempt after 2026-01-01T00:00:20.000Z',
    );
    expect(u.calls).toBe(3);
  });

  it('a success in between starts the count again', async () => {
    const breaker = new CircuitBreakers().breakerFor('prometheus:default');
    const u = upstream();
    for (let i = 0; i < 4; i++)
      await expect(breaker.execute(u.call)).rejects.toThrow();
    u.failing = false;
    await breaker.execute(u.call);
    u.failing = true;
    for (let i = 0; i < 4; i++)
      await expect(breaker.execute(u.call)).rejects.toThrow();
    expect(breaker.state).toBe('closed');
    expect(u.calls).toBe(9);
  });

  it('does not count a failure caused by the session ending', async () => {
    const breaker = new CircuitBreakers({ failures: 1 }).breakerFor('x');
    const session = new AbortController();
    session.abort();
    const aborted = new Error('aborted');
    await expect(
      breaker.execute(async () => {
        throw aborted;
      }, session.signal),
    ).rejects.toBe(aborted);
    expect(breaker.state).toBe('closed');
  });

  it('closes when another replica recorded a success after it opened', async () => {
    let recorded: string | undefined;
    const breaker = new CircuitBreakers({}, async () => recorded).breakerFor(
      'kubernetes:staging',
    );
    const u = upstream();
    for (let i = 1; i <= 5; i++) {
      await expect(breaker.execute(u.call)).rejects.toThrow();
    }
    // A success from before the circuit opened changes nothing: no call.
    recorded = new Date(T0 - 1000).toISOString();
    clock.advance(1000);
    await expect(breaker.execute(u.call)).rejects.toBeInstanceOf(
      CircuitOpenError,
    );
    expect(u.calls).toBe(5);
    // Another replica collected the target successfully since: this one calls it again at once.
    recorded = new Date(Date.now()).toISOString();
    clock.advance(1000);
    u.failing = false;
    await expect(breaker.execute(u.call)).resolves.toBe('ok');
    expect(u.calls).toBe(6);
    expect(breaker.state).toBe('closed');
  });

  it('keeps one circuit per target', async () => {
    const breakers = new CircuitBreakers({ failures: 1 });
    expect(breakers.breakerFor('a')).toBe(breakers.breakerFor('a'));
    await expect(
      breakers.breakerFor('a').execute(upstream().call),
    ).rejects.toThrow();
    expect(breakers.breakerFor('a').state).toBe('open');
    expect(breakers.breakerFor('b').state).toBe('closed');
    await expect(breakers.breakerFor('b').execute(async () => 1)).resolves.toBe(
      1,
    );
  });

  it('names the target and the last failure in what a source reports', () => {
    expect(
      circuitOpenMessage(
        'argocd main',
        new CircuitOpenError(
          'argocd-api:main',
          5,
          new Date(T0 + 60_000),
          'argocd main: GET /api/v1/applications: 500 Internal Server Error',
        ),
      ),
    ).toBe(
      'argocd main: circuit open after 5 consecutive failures; next attempt after 2026-01-01T00:01:00.000Z; last failure: argocd main: GET /api/v1/applications: 500 Internal Server Error',
    );
  });
});

describe('circuit breaker settings', () => {
  it('reads gitops.collection.circuitBreaker', () => {
    expect(
      readCircuitBreakerOptions(
        new ConfigReader({
          gitops: {
            collection: {
              circuitBreaker: { failures: 3, halfOpenAfter: { minutes: 2 } },
            },
          },
        }),
      ),
    ).toEqual({ failures: 3, halfOpenAfterMs: 120_000 });
    expect(readCircuitBreakerOptions(new ConfigReader({}))).toEqual({});
  });

  it('refuses settings that cannot work', () => {
    expect(() =>
      readCircuitBreakerOptions(
        new ConfigReader({
          gitops: { collection: { circuitBreaker: { failures: 0 } } },
        }),
      ),
    ).toThrow(
      'gitops.collection.circuitBreaker.failures must be a positive integer',
    );
    expect(() => new CircuitBreakers({ failures: 1.5 })).toThrow(RangeError);
    expect(() => new CircuitBreakers({ halfOpenAfterMs: -1 })).toThrow(
      RangeError,
    );
  });
});
