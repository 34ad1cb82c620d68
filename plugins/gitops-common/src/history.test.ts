import { deploymentsFromEvents, type HistoryEvent } from './history';

let nextId = 1;
/** An event of `name` on `cluster`, at minute `minute` of the hour. */
function ev(
  cluster: string,
  minute: number,
  over: Partial<HistoryEvent>,
  name = 'app',
): HistoryEvent {
  return {
    id: String(nextId++),
    recordId: `flux|${cluster}|apps|Kustomization|${name}`,
    tool: 'flux',
    cluster,
    namespace: 'apps',
    kind: 'Kustomization',
    name,
    event: 'transition',
    at: `2026-11-23T10:${String(minute).padStart(2, '0')}:00.000Z`,
    state: 'ok',
    sync: 'Synced',
    health: 'Healthy',
    compliance: 'Compliant',
    ...over,
  };
}

const MIN = 60_000;

describe('deploymentsFromEvents', () => {
  it('groups one commit across clusters, with start, ready and duration per cluster', () => {
    const events = [
      // dev: sees the new revision attempted at :01, applied (not ready) at :02, ready at :04.
      ev('dev', 1, {
        attempted: 'main@sha1:bbb',
        revision: 'main@sha1:aaa',
        commit: 'aaa',
        state: 'progressing',
      }),
      ev('dev', 2, {
        event: 'deployed',
        revision: 'main@sha1:bbb',
        commit: 'bbb',
        attempted: 'main@sha1:bbb',
        state: 'progressing',
      }),
      ev('dev', 4, {
        revision: 'main@sha1:bbb',
        commit: 'bbb',
        attempted: 'main@sha1:bbb',
        state: 'ok',
      }),
      // prod: applied and ready in one observation at :10.
      ev('prod', 10, {
        event: 'deployed',
        revision: 'main@sha1:bbb',
        commit: 'bbb',
        state: 'ok',
      }),
    ];
    // Any order in, the same out.
    const out = deploymentsFromEvents([...events].reverse());
    expect(out).toHaveLength(1);
    const [d] = out;
    expect(d.revision).toBe('bbb');
    expect(d.clusters).toEqual(['dev', 'prod']);
    expect(d.firstDeployedAt).toBe(events[1].at);
    expect(d.lastDeployedAt).toBe(events[3].at);
    expect(d.targets.map(t => [t.cluster, t.outcome, t.durationMs])).toEqual([
      ['dev', 'ready', 3 * MIN], // :01 → :04
      ['prod', 'ready', 0],
    ]);
    expect(d.targets[0].startedAt).toBe(events[0].at);
    expect(d.targets[0].readyAt).toBe(events[2].at);
  });

  it('marks superseded, removed and in-progress rollouts, newest deployment first', () => {
    const out = deploymentsFromEvents([
      ev('dev', 1, { event: 'deployed', revision: 'v1', state: 'error' }),
      ev('dev', 3, { event: 'deployed', revision: 'v2', state: 'progressing' }),
      ev('staging', 2, {
        event: 'deployed',
        revision: 'v1',
        state: 'progressing',
      }),
      ev('staging', 5, {
        event: 'removed',
        revision: 'v1',
        state: 'progressing',
      }),
    ]);
    expect(out.map(d => d.revision)).toEqual(['v2', 'v1']);
    expect(out[0].targets.map(t => t.outcome)).toEqual(['in-progress']);
    expect(out[0].targets[0].readyAt).toBeUndefined();
    expect(
      Object.fromEntries(out[1].targets.map(t => [t.cluster, t.outcome])),
    ).toEqual({ dev: 'superseded', staging: 'removed' });
  });

  it('does not count an earlier attempt of the same revision before a previous deployment', () => {
    const out = deploymentsFromEvents([
      ev('dev', 0, { attempted: 'v2', revision: 'v0' }),
      ev('dev', 1, { event: 'deployed', revision: 'v1' }),
      ev('dev', 5, { attempted: 'v2', revision: 'v1', state: 'progressing' }),
      ev('dev', 7, { event: 'deployed', revision: 'v2', attempted: 'v2' }),
    ]);
    const v2 = out.find(d => d.revision === 'v2')!;
    // Started at :05 (the attempt after v1's deployment), not :00.
    expect(v2.targets[0].durationMs).toBe(2 * MIN);
  });

  it('ignores events that are not deployments', () => {
    expect(
      deploymentsFromEvents([
        ev('dev', 1, { event: 'appeared', revision: 'v1' }),
        ev('dev', 2, { state: 'error', revision: 'v1' }),
      ]),
    ).toEqual([]);
  });
});
