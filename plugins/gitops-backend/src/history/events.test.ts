import {
  deriveState,
  type GitOpsRecord,
} from '@gitops-status/plugin-gitops-common';
import { historyEventFor, HISTORY_MESSAGE_LIMIT } from './events';

function record(over: Partial<GitOpsRecord> = {}): GitOpsRecord {
  const base: GitOpsRecord = {
    tool: 'flux',
    cluster: 'dev',
    namespace: 'apps',
    kind: 'HelmRelease',
    name: 'podinfo',
    sync: 'Synced',
    health: 'Healthy',
    compliance: 'Compliant',
    state: 'ok',
    suspended: false,
    revision: { applied: '6.0.3', attempted: '6.0.3' },
    conditions: [],
    dependsOn: [],
    labels: {},
    sources: ['kubernetes'],
    observedAt: '2026-11-23T10:00:00.000Z',
    links: [],
    ...over,
  };
  return { ...base, state: deriveState(base) };
}

const AT = '2026-11-23T10:05:00.000Z';

describe('historyEventFor', () => {
  it('records appearing and removal with the values seen', () => {
    const r = record();
    expect(historyEventFor(undefined, r, AT)).toMatchObject({
      event: 'appeared',
      recordId: 'flux|dev|apps|HelmRelease|podinfo',
      at: AT,
      state: 'ok',
      revision: '6.0.3',
      previous: undefined,
    });
    expect(historyEventFor(r, undefined, AT)).toMatchObject({
      event: 'removed',
      state: 'ok',
      previous: undefined,
    });
  });

  it('calls a new applied revision a deployment, with the previous values', () => {
    const before = record();
    const after = record({
      revision: { applied: '6.0.4', attempted: '6.0.4' },
      health: 'Progressing',
    });
    expect(historyEventFor(before, after, AT)).toMatchObject({
      event: 'deployed',
      revision: '6.0.4',
      state: 'progressing',
      previous: { revision: '6.0.3', state: 'ok', health: 'Healthy' },
    });
  });

  it('calls a change of sync, health, compliance, state or attempted revision a transition', () => {
    const before = record();
    for (const after of [
      record({ sync: 'OutOfSync' }),
      record({ health: 'Degraded', reason: 'UpgradeFailed' }),
      record({ compliance: 'NonCompliant' }),
      record({ revision: { applied: '6.0.3', attempted: '6.0.4' } }),
    ]) {
      expect(historyEventFor(before, after, AT)?.event).toBe('transition');
    }
  });

  it('ignores changes that are not history (message, conditions, times)', () => {
    const before = record({ message: 'one' });
    const after = record({
      message: 'two',
      lastReconciledAt: AT,
      conditions: [{ type: 'Ready', status: 'True' }],
    });
    expect(historyEventFor(before, after, AT)).toBeUndefined();
  });

  it('keeps reason and message, cut to the limit', () => {
    const event = historyEventFor(
      record(),
      record({
        health: 'Degraded',
        reason: 'UpgradeFailed',
        message: 'x'.repeat(5000),
      }),
      AT,
    )!;
    expect(event.message).toHaveLength(HISTORY_MESSAGE_LIMIT);
    expect(event.message!.startsWith('UpgradeFailed: xxx')).toBe(true);
    expect(event.message!.endsWith('…')).toBe(true);
  });
});
