import type { GitOpsRecord, GitOpsState } from './model';
import { deriveState, summarize, worstState } from './state';

describe('deriveState', () => {
  it.each([
    [{ sync: 'Synced', health: 'Healthy', compliance: 'Compliant' }, 'ok'],
    [
      {
        sync: 'Synced',
        health: 'Healthy',
        compliance: 'Compliant',
        suspended: true,
      },
      'suspended',
    ],
    [
      { sync: 'Unknown', health: 'Suspended', compliance: 'Suspended' },
      'suspended',
    ],
    [{ sync: 'Synced', health: 'Degraded', compliance: 'Compliant' }, 'error'],
    [
      { sync: 'OutOfSync', health: 'Missing', compliance: 'NonCompliant' },
      'error',
    ],
    [
      { sync: 'Unknown', health: 'Progressing', compliance: 'Pending' },
      'progressing',
    ],
    [
      { sync: 'OutOfSync', health: 'Healthy', compliance: 'Pending' },
      'progressing',
    ],
    [
      { sync: 'OutOfSync', health: 'Healthy', compliance: 'Unknown' },
      'warning',
    ],
    [{ sync: 'Unknown', health: 'Healthy', compliance: 'Unknown' }, 'ok'],
    [{ sync: 'Unknown', health: 'Unknown', compliance: 'Unknown' }, 'unknown'],
  ] as const)('%j → %s', (input, expected) => {
    expect(deriveState(input)).toBe(expected);
  });
});

describe('worstState', () => {
  it('takes the most urgent state', () => {
    expect(worstState(['ok', 'progressing', 'warning'])).toBe('warning');
    expect(worstState([])).toBeUndefined();
  });

  it('ignores values outside the enum instead of ranking them first', () => {
    expect(worstState(['ok', 'bogus' as GitOpsState])).toBe('ok');
  });
});

describe('summarize', () => {
  const record = (
    state: GitOpsState,
    lastReconciledAt?: string,
    cluster = 'a',
  ): GitOpsRecord =>
    ({ state, lastReconciledAt, cluster, tool: 'flux' } as GitOpsRecord);

  it('counts, ranks and finds the latest reconciliation', () => {
    const s = summarize([
      record('ok', '2024-01-01T00:00:00Z'),
      record('error', '2024-03-01T00:00:00Z', 'b'),
      record('ok', 'not a time'),
    ]);
    expect(s).toMatchObject({
      total: 3,
      state: 'error',
      clusters: ['a', 'b'],
      tools: ['flux'],
      lastReconciledAt: '2024-03-01T00:00:00Z',
    });
    expect(s.byState).toMatchObject({ ok: 2, error: 1 });
  });

  it('a first unparseable time does not stick', () => {
    expect(
      summarize([record('ok', 'garbage'), record('ok', '2024-01-01T00:00:00Z')])
        .lastReconciledAt,
    ).toBe('2024-01-01T00:00:00Z');
  });
});
