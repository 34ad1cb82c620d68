import { ConfigReader } from '@backstage/config';
import {
  deriveState,
  type Condition,
  type GitOpsRecord,
  type SourceHealth,
} from '@gitops-status/plugin-gitops-common';
import { readAlertRulesConfig } from '../config';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** A controllable clock starting at a fixed time. */
export class FakeClock {
  private ms: number;
  constructor(start = '2026-11-23T12:00:00.000Z') {
    this.ms = Date.parse(start);
  }
  now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

export function alertsConfig(alerts: object = {}, gitops: object = {}) {
  return readAlertRulesConfig(
    new ConfigReader({ gitops: { ...gitops, alerts } }),
  );
}

function withState(r: GitOpsRecord): GitOpsRecord {
  return { ...r, state: deriveState(r) };
}

export function record(over: Partial<GitOpsRecord> = {}): GitOpsRecord {
  return withState({
    tool: 'flux',
    cluster: 'dev',
    namespace: 'flux-system',
    kind: 'Kustomization',
    name: 'apps',
    sync: 'Synced',
    health: 'Healthy',
    compliance: 'Compliant',
    state: 'ok',
    suspended: false,
    revision: {},
    conditions: [
      { type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded' },
    ],
    dependsOn: [],
    labels: {},
    sources: ['kubernetes'],
    observedAt: '2026-11-23T12:00:00.000Z',
    links: [],
    ...over,
  });
}

const READY_FALSE: Condition = {
  type: 'Ready',
  status: 'False',
  reason: 'ReconciliationFailed',
  message: 'kustomize build failed',
};

/** A Flux object whose Ready condition is False (Degraded, as kstatus says). */
export function failing(over: Partial<GitOpsRecord> = {}): GitOpsRecord {
  return record({
    health: 'Degraded',
    compliance: 'NonCompliant',
    sync: 'Unknown',
    conditions: [READY_FALSE],
    reason: READY_FALSE.reason,
    message: READY_FALSE.message,
    ...over,
  });
}

export function app(over: Partial<GitOpsRecord> = {}): GitOpsRecord {
  return record({
    tool: 'argocd',
    kind: 'Application',
    namespace: 'argocd',
    name: 'guestbook',
    conditions: [],
    instance: 'main',
    ...over,
  });
}

export function health(over: Partial<SourceHealth> = {}): SourceHealth {
  return {
    id: 'kubernetes:dev',
    type: 'kubernetes',
    target: 'dev',
    status: 'ok',
    lastSuccessAt: '2026-11-23T12:00:00.000Z',
    lastAttemptAt: '2026-11-23T12:00:00.000Z',
    skippedKinds: ['Application', 'FluxConfig'],
    ...over,
  };
}
