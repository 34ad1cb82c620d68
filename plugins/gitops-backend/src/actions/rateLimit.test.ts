import { ActionRateLimiter } from './rateLimit';

describe('ActionRateLimiter', () => {
  let now = 0;
  const limiter = () =>
    new ActionRateLimiter({
      perUserPerMinute: 3,
      perObjectIntervalMs: 10_000,
      now: () => now,
    });

  beforeEach(() => {
    now = 1_000_000;
  });

  it('allows a user N actions in any 60 s, then says when the oldest leaves the window', () => {
    const l = limiter();
    for (const [i, object] of ['a', 'b', 'c'].entries()) {
      now = 1_000_000 + i * 1000;
      expect(l.take('user:default/ann', object)).toEqual({ ok: true });
    }
    now = 1_000_000 + 5000;
    expect(l.take('user:default/ann', 'd')).toEqual({
      ok: false,
      retryAfterMs: 55_000, // the first action (t=0) leaves the window at t=60 s
      reason: 'at most 3 actions per minute per user',
    });
    // Another user is not affected.
    expect(l.take('user:default/bob', 'd')).toEqual({ ok: true });
    now = 1_000_000 + 60_001;
    expect(l.take('user:default/ann', 'e')).toEqual({ ok: true });
  });

  it('spaces actions on one object, whoever asks', () => {
    const l = limiter();
    expect(l.take('user:default/ann', 'x')).toEqual({ ok: true });
    now += 4000;
    expect(l.take('user:default/bob', 'x')).toMatchObject({
      ok: false,
      retryAfterMs: 6000,
    });
    now += 6000;
    expect(l.take('user:default/bob', 'x')).toEqual({ ok: true });
  });

  it('does not count refused attempts', () => {
    const l = limiter();
    l.take('user:default/ann', 'x');
    for (let i = 0; i < 5; i++) l.take('user:default/ann', 'x'); // all refused (same object)
    expect(l.take('user:default/ann', 'y')).toEqual({ ok: true });
    expect(l.take('user:default/ann', 'z')).toEqual({ ok: true });
  });
});
