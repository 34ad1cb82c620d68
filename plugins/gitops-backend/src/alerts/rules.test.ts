import type {
  GitOpsRecord,
  SourceHealth,
} from '@gitops-status/plugin-gitops-common';
import { recordId } from '../merge/identity';
import type { AlertRulesConfig } from './config';
import { evaluateAlerts } from './rules';
import type { AlertState, AlertTransition } from './types';
import {
  alertsConfig,
  app,
  FakeClock,
  failing,
  health,
  HOUR,
  MINUTE,
  record,
} from './__testUtils__/fixtures';

/** Feeds snapshots to the pure rules, carrying the states from one evaluation to the next. */
function walker(
  config: AlertRulesConfig = alertsConfig(),
  argocdInstanceOf?: (cluster: string) => string | undefined,
) {
  const clock = new FakeClock();
  let states: AlertState[] = [];
  const transitions: AlertTransition[] = [];
  return {
    clock,
    transitions,
    get states() {
      return states;
    },
    step(records: GitOpsRecord[], sourceHealth: SourceHealth[] = []) {
      const result = evaluateAlerts({
        records,
        sourceHealth,
        previous: states,
        now: clock.now(),
        config,
        argocdInstanceOf,
      });
      states = result.next;
      transitions.push(...result.transitions);
      return result;
    },
    /** The state of one alert, by rule. */
    only(rule: string) {
      const matching = states.filter(s => s.rule === rule);
      expect(matching).toHaveLength(1);
      return matching[0];
    },
  };
}

const kustomizationId = `KustomizationNotReady:${recordId(record())}`;

describe('evaluateAlerts', () => {
  it('walks a Kustomization through pending, firing and resolved, firing and resolving once', () => {
    const w = walker();
    const ok = [record()];
    const bad = [failing({ entityRefs: ['component:default/apps'] })];

    expect(w.step(ok)).toEqual({ next: [], transitions: [] });

    // Not ready: pending from the first time it is seen so.
    w.clock.advance(MINUTE);
    const firstBad = w.clock.now().toISOString();
    expect(w.step(bad).transitions).toEqual([]);
    expect(w.states).toEqual([
      {
        id: kustomizationId,
        rule: 'KustomizationNotReady',
        severity: 'warning',
        subject: 'flux|dev|flux-system|Kustomization|apps',
        entityRefs: ['component:default/apps'],
        status: 'pending',
        since: firstBad,
        summary:
          'Kustomization flux-system/apps on dev is not ready: ReconciliationFailed: kustomize build failed',
        labels: {
          cluster: 'dev',
          namespace: 'flux-system',
          kind: 'Kustomization',
          name: 'apps',
          tool: 'flux',
        },
      },
    ]);

    // Still pending just before `for` (5 minutes).
    w.clock.advance(5 * MINUTE - 1);
    w.step(bad);
    expect(w.only('KustomizationNotReady').status).toBe('pending');

    // Firing once it has been bad for 5 minutes: one 'fired' transition.
    w.clock.advance(1);
    const firedAt = w.clock.now().toISOString();
    expect(w.step(bad).transitions).toEqual([
      expect.objectContaining({
        alertId: kustomizationId,
        transition: 'fired',
        at: firedAt,
        severity: 'warning',
        entityRefs: ['component:default/apps'],
      }),
    ]);
    expect(w.only('KustomizationNotReady')).toMatchObject({
      status: 'firing',
      since: firstBad,
      firedAt,
    });

    // Still firing: nothing new.
    for (let i = 0; i < 5; i++) {
      w.clock.advance(10 * MINUTE);
      expect(w.step(bad).transitions).toEqual([]);
    }

    // Good again: still firing until it has been good for resolveAfter (10 minutes).
    w.clock.advance(MINUTE);
    const goodAt = w.clock.now().toISOString();
    w.step(ok);
    expect(w.only('KustomizationNotReady')).toMatchObject({
      status: 'firing',
      okSince: goodAt,
    });
    w.clock.advance(5 * MINUTE);
    w.step(ok);
    expect(w.only('KustomizationNotReady').status).toBe('firing');

    // Bad again before resolving: the same episode goes on, no second 'fired'.
    w.clock.advance(MINUTE);
    expect(w.step(bad).transitions).toEqual([]);
    expect(w.only('KustomizationNotReady')).toMatchObject({
      status: 'firing',
      firedAt,
    });
    expect(w.only('KustomizationNotReady').okSince).toBeUndefined();

    // Good for 10 minutes: resolved, once.
    w.clock.advance(MINUTE);
    w.step(ok);
    w.clock.advance(10 * MINUTE - 1);
    expect(w.step(ok).transitions).toEqual([]);
    w.clock.advance(1);
    const resolvedAt = w.clock.now().toISOString();
    expect(w.step(ok).transitions).toEqual([
      expect.objectContaining({ transition: 'resolved', at: resolvedAt }),
    ]);
    expect(w.only('KustomizationNotReady')).toMatchObject({
      status: 'resolved',
      firedAt,
      resolvedAt,
    });
    w.clock.advance(HOUR);
    w.step(ok);
    expect(w.only('KustomizationNotReady').status).toBe('resolved');

    expect(w.transitions.map(t => t.transition)).toEqual(['fired', 'resolved']);

    // A new episode starts pending again, with its own times.
    w.clock.advance(MINUTE);
    w.step(bad);
    const again = w.only('KustomizationNotReady');
    expect(again).toMatchObject({
      status: 'pending',
      since: w.clock.now().toISOString(),
    });
    expect(again.firedAt).toBeUndefined();
    expect(again.resolvedAt).toBeUndefined();
    w.clock.advance(5 * MINUTE);
    expect(w.step(bad).transitions.map(t => t.transition)).toEqual(['fired']);
  });

  it('drops a pending alert whose condition clears, without a transition', () => {
    const w = walker();
    w.step([failing()]);
    w.clock.advance(4 * MINUTE);
    w.step([failing()]);
    expect(w.states).toHaveLength(1);
    w.clock.advance(MINUTE - 1);
    expect(w.step([record()])).toEqual({ next: [], transitions: [] });
    // Bad again: the clock starts over.
    w.clock.advance(MINUTE);
    w.step([failing()]);
    w.clock.advance(4 * MINUTE);
    w.step([failing()]);
    expect(w.only('KustomizationNotReady').status).toBe('pending');
    expect(w.transitions).toEqual([]);
  });

  it('never alerts on suspended objects, and resolves a firing alert when its object is suspended', () => {
    const w = walker();
    const suspended = failing({
      suspended: true,
      health: 'Suspended',
      compliance: 'Suspended',
    });
    for (let i = 0; i < 10; i++) {
      w.step([suspended, { ...suspended, kind: 'HelmRelease' }]);
      w.clock.advance(HOUR);
    }
    expect(w.states).toEqual([]);

    w.step([failing()]);
    w.clock.advance(5 * MINUTE);
    w.step([failing()]);
    expect(w.only('KustomizationNotReady').status).toBe('firing');
    w.step([suspended]);
    w.clock.advance(10 * MINUTE);
    w.step([suspended]);
    expect(w.only('KustomizationNotReady').status).toBe('resolved');
    expect(w.transitions.map(t => t.transition)).toEqual(['fired', 'resolved']);
  });

  it('resolves a firing alert whose object is gone after resolveAfter', () => {
    const w = walker();
    w.step([failing()]);
    w.clock.advance(5 * MINUTE);
    w.step([failing()]);
    w.step([]);
    w.clock.advance(10 * MINUTE);
    w.step([]);
    expect(w.only('KustomizationNotReady').status).toBe('resolved');
  });

  it('has one not-ready rule per Flux kind, also for Degraded without Ready=False', () => {
    const w = walker();
    const stalled = {
      health: 'Degraded' as const,
      conditions: [
        { type: 'Stalled', status: 'True' as const, reason: 'InvalidURL' },
      ],
      reason: 'InvalidURL',
      message: 'bad url',
    };
    const records = [
      failing({ kind: 'HelmRelease', name: 'podinfo' }),
      record({ kind: 'GitRepository', name: 'repo', ...stalled }),
      failing({ kind: 'OCIRepository', name: 'oci' }),
      failing({ kind: 'Bucket', name: 'bucket' }),
      failing({ kind: 'HelmRepository', name: 'charts' }),
      // Not a Flux kind any of these rules watch.
      failing({ kind: 'HelmChart', name: 'chart' }),
      // Progressing (Ready=Unknown) is not an alert.
      record({
        name: 'progressing',
        health: 'Progressing',
        conditions: [{ type: 'Ready', status: 'Unknown' }],
      }),
    ];
    w.step(records);
    w.clock.advance(5 * MINUTE);
    w.step(records);
    expect(
      w.transitions.map(t => [t.rule, t.labels.name, t.transition]),
    ).toEqual([
      ['HelmReleaseNotReady', 'podinfo', 'fired'],
      ['GitRepositoryNotReady', 'repo', 'fired'],
      ['OCIRepositoryNotReady', 'oci', 'fired'],
      ['BucketNotReady', 'bucket', 'fired'],
      ['HelmRepositoryNotReady', 'charts', 'fired'],
    ]);
    expect(
      w.transitions.find(t => t.rule === 'GitRepositoryNotReady')?.summary,
    ).toBe(
      'GitRepository flux-system/repo on dev is not ready: InvalidURL: bad url',
    );
  });

  it('fires ArgoAppNotSynced after 12 hours and ArgoAppDegraded after 5 minutes', () => {
    const w = walker();
    const outOfSync = app({ sync: 'OutOfSync', name: 'drifting' });
    const degraded = app({
      health: 'Degraded',
      name: 'broken',
      message: 'Deployment exceeded its progress deadline',
    });
    const records = [outOfSync, degraded, app({ name: 'fine' })];
    w.step(records);
    w.clock.advance(5 * MINUTE);
    w.step(records);
    expect(w.transitions.map(t => t.rule)).toEqual(['ArgoAppDegraded']);
    expect(w.transitions[0].summary).toBe(
      'Application argocd/broken on dev is Degraded: Deployment exceeded its progress deadline',
    );
    expect(w.only('ArgoAppNotSynced').status).toBe('pending');

    w.clock.advance(12 * HOUR - 5 * MINUTE - 1);
    w.step(records);
    expect(w.only('ArgoAppNotSynced').status).toBe('pending');
    w.clock.advance(1);
    w.step(records);
    expect(w.only('ArgoAppNotSynced')).toMatchObject({
      status: 'firing',
      summary: 'Application argocd/drifting on dev is OutOfSync',
      labels: { tool: 'argocd', kind: 'Application', name: 'drifting' },
    });
    expect(w.transitions.map(t => t.rule)).toEqual([
      'ArgoAppDegraded',
      'ArgoAppNotSynced',
    ]);
  });

  describe('ArgoAppMissing', () => {
    const api = (over: Partial<SourceHealth> = {}) =>
      health({
        id: 'argocd-api:main',
        type: 'argocd-api',
        target: 'main',
        skippedKinds: undefined,
        ...over,
      });

    it('fires, critical, when an Argo CD API instance reports no applications for 15 minutes', () => {
      const w = walker();
      w.step([app()], [api()]);
      expect(w.states).toEqual([]);

      w.step([app({ instance: 'other' })], [api()]);
      expect(w.only('ArgoAppMissing')).toMatchObject({
        subject: 'argocd-api:main',
        severity: 'critical',
        status: 'pending',
      });
      w.clock.advance(15 * MINUTE);
      w.step([], [api()]);
      expect(w.transitions).toEqual([
        expect.objectContaining({
          rule: 'ArgoAppMissing',
          severity: 'critical',
          transition: 'fired',
          summary:
            'Argo CD instance main (argocd-api:main) reports no applications',
          labels: {
            kind: 'Application',
            name: 'main',
            tool: 'argocd',
            source: 'argocd-api:main',
          },
        }),
      ]);
      // Applications are back: resolved after resolveAfter.
      w.step([app()], [api()]);
      w.clock.advance(10 * MINUTE);
      w.step([app()], [api()]);
      expect(w.transitions.map(t => t.transition)).toEqual([
        'fired',
        'resolved',
      ]);
    });

    it('holds its state while the instance cannot be reached', () => {
      const w = walker();
      w.step([], [api()]);
      const pending = w.only('ArgoAppMissing');
      w.clock.advance(HOUR);
      w.step([], [api({ status: 'error', message: 'connection refused' })]);
      expect(w.only('ArgoAppMissing')).toEqual(pending);
      // (The failing source is SourceStale's business.)
      expect(w.transitions.map(t => t.rule)).toEqual(['SourceStale']);
      // Reachable and still empty: it has been empty since the first time.
      w.step([], [api()]);
      expect(w.only('ArgoAppMissing').status).toBe('firing');
    });

    it('watches clusters whose Kubernetes API serves Applications, unless an API target covers the instance', () => {
      const instanceOf = (cluster: string) =>
        cluster === 'hub' ? 'main' : undefined;
      const w = walker(alertsConfig(), instanceOf);
      const hub = health({
        id: 'kubernetes:hub',
        target: 'hub',
        skippedKinds: ['FluxConfig'],
      });
      const spoke = health({
        id: 'kubernetes:spoke',
        target: 'spoke',
        skippedKinds: ['FluxConfig'],
      });
      const noArgo = health(); // Application skipped: no Argo CD there.
      w.step([app({ instance: 'main' })], [hub, spoke, noArgo]);
      // spoke serves Applications of instance `spoke` (its name): none.
      expect(w.states.map(s => [s.subject, s.labels.cluster])).toEqual([
        ['kubernetes:spoke', 'spoke'],
      ]);
      // With an API target for `main`, the hub cluster is not watched twice.
      w.step([], [hub, api()]);
      expect(w.states.map(s => s.subject)).toEqual(['argocd-api:main']);
    });
  });

  describe('SourceStale', () => {
    it('fires when a source target has not succeeded for 3 collection cycles', () => {
      const w = walker();
      const start = w.clock.now().getTime();
      const failingSource = health({
        status: 'error',
        message: 'connect ECONNREFUSED',
        lastSuccessAt: new Date(start).toISOString(),
      });
      w.clock.advance(2 * MINUTE);
      w.step([], [failingSource]);
      expect(w.only('SourceStale')).toMatchObject({
        status: 'pending',
        since: new Date(start).toISOString(),
        subject: 'kubernetes:dev',
        labels: { source: 'kubernetes:dev', cluster: 'dev', name: 'dev' },
      });
      w.clock.advance(MINUTE);
      w.step([], [failingSource]);
      expect(w.transitions).toEqual([
        expect.objectContaining({
          rule: 'SourceStale',
          transition: 'fired',
          summary:
            'Source kubernetes:dev is failing (last success 2026-11-23T12:00:00.000Z): connect ECONNREFUSED',
        }),
      ]);
      // Succeeds again: resolved 10 minutes later.
      w.step([], [health({ lastSuccessAt: w.clock.now().toISOString() })]);
      w.clock.advance(10 * MINUTE);
      w.step([], [health()]);
      expect(w.only('SourceStale').status).toBe('resolved');
    });

    it('counts cycles of the configured collection, and from first seen when it never succeeded', () => {
      const w = walker(
        alertsConfig(
          { rules: { SourceStale: { cycles: 5 } } },
          { collection: { sessionDuration: { minutes: 2 } } },
        ),
      );
      const never = health({ status: 'error', lastSuccessAt: undefined });
      w.step([], [never]);
      w.clock.advance(10 * MINUTE - 1);
      w.step([], [never]);
      expect(w.only('SourceStale').status).toBe('pending');
      w.clock.advance(1);
      w.step([], [never]);
      expect(w.only('SourceStale').status).toBe('firing');
    });
  });

  it('fires FluxConfigNonCompliant per configuration and one FluxExtensionProvisioningFailed per cluster', () => {
    const w = walker();
    const extensionFailed = {
      type: 'FluxExtension/flux',
      status: 'False' as const,
      reason: 'Failed',
      message: 'microsoft.flux 1.8.2: helm install failed',
    };
    const config = (name: string, over: Partial<GitOpsRecord> = {}) =>
      record({
        kind: 'FluxConfig',
        cluster: 'aks-prod',
        namespace: 'default',
        name,
        conditions: [],
        sources: ['azure'],
        ...over,
      });
    const records = [
      config('cluster-config', {
        compliance: 'NonCompliant',
        health: 'Degraded',
        reason: 'Non-Compliant',
        conditions: [extensionFailed],
        entityRefs: ['component:default/a'],
      }),
      config('apps', {
        health: 'Degraded',
        reason: 'FluxExtensionFailed',
        conditions: [extensionFailed],
        entityRefs: ['component:default/b'],
      }),
      config('suspended', {
        suspended: true,
        compliance: 'NonCompliant',
      }),
      config('healthy', {
        cluster: 'aks-dev',
        conditions: [{ ...extensionFailed, status: 'True' }],
      }),
    ];
    w.step(records);
    w.clock.advance(5 * MINUTE);
    w.step(records);
    expect(w.transitions.map(t => [t.rule, t.subject, t.entityRefs])).toEqual([
      [
        'FluxConfigNonCompliant',
        'flux|aks-prod|default|FluxConfig|cluster-config',
        ['component:default/a'],
      ],
      [
        'FluxExtensionProvisioningFailed',
        'aks-prod|FluxExtension/flux',
        ['component:default/a', 'component:default/b'],
      ],
    ]);
    expect(w.only('FluxExtensionProvisioningFailed').summary).toBe(
      'Flux extension flux on aks-prod failed to provision: Failed: microsoft.flux 1.8.2: helm install failed',
    );
  });

  describe('configuration', () => {
    it('skips a disabled rule, and resolves its firing alerts at once when disabled', () => {
      const disabled = alertsConfig({
        rules: { KustomizationNotReady: { enabled: false } },
      });
      const w = walker(disabled);
      w.step([failing()]);
      w.clock.advance(HOUR);
      w.step([failing()]);
      expect(w.states).toEqual([]);

      const on = walker();
      on.step([failing()]);
      on.clock.advance(5 * MINUTE);
      on.step([failing()]);
      const result = evaluateAlerts({
        records: [failing()],
        sourceHealth: [],
        previous: on.states,
        now: on.clock.now(),
        config: disabled,
      });
      expect(result.transitions).toEqual([
        expect.objectContaining({
          transition: 'resolved',
          summary: expect.stringMatching(/\(rule disabled\)$/),
        }),
      ]);
      expect(result.next[0].status).toBe('resolved');
    });

    it('uses the configured for, resolveAfter and severity', () => {
      const w = walker(
        alertsConfig({
          rules: {
            KustomizationNotReady: {
              for: 'PT1M',
              resolveAfter: { seconds: 30 },
              severity: 'critical',
            },
            ArgoAppNotSynced: { for: '1h' },
          },
        }),
      );
      const records = [failing(), app({ sync: 'OutOfSync' })];
      w.step(records);
      w.clock.advance(MINUTE);
      w.step(records);
      expect(w.transitions).toEqual([
        expect.objectContaining({
          rule: 'KustomizationNotReady',
          severity: 'critical',
        }),
      ]);
      w.clock.advance(HOUR - MINUTE);
      w.step([record(), app({ sync: 'OutOfSync' })]);
      expect(w.only('ArgoAppNotSynced').status).toBe('firing');
      w.clock.advance(30_000);
      w.step([record(), app({ sync: 'OutOfSync' })]);
      expect(w.only('KustomizationNotReady').status).toBe('resolved');
    });

    it('fires on the first evaluation with for: 0', () => {
      const w = walker(
        alertsConfig({ rules: { KustomizationNotReady: { for: '0s' } } }),
      );
      expect(w.step([failing()]).transitions.map(t => t.transition)).toEqual([
        'fired',
      ]);
    });

    it('forgets resolved alerts after resolvedRetention', () => {
      const w = walker(alertsConfig({ resolvedRetention: { days: 1 } }));
      w.step([failing()]);
      w.clock.advance(5 * MINUTE);
      w.step([failing()]);
      w.step([record()]);
      w.clock.advance(10 * MINUTE);
      w.step([record()]);
      expect(w.only('KustomizationNotReady').status).toBe('resolved');
      w.clock.advance(24 * HOUR);
      w.step([record()]);
      expect(w.states).toHaveLength(1);
      w.clock.advance(1);
      w.step([record()]);
      expect(w.states).toEqual([]);
    });
  });
});
