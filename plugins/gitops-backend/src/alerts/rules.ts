/*
 * Pure alert rule evaluation: records + source health + the previous alert states in, the next
 * states and the transitions (fired / resolved) out. No clock, no I/O.
 *
 * The state machine follows Prometheus' `for`: a condition that holds for less than `for` is
 * pending, then firing (one 'fired' transition). A firing alert whose condition stops holding
 * resolves once it has been false for `resolveAfter` (one 'resolved' transition); one that goes bad
 * again before that keeps firing, so an episode fires once. A pending alert whose condition clears
 * is dropped without a trace. Resolved states are kept for history until `resolvedRetention`; the
 * next episode of the same rule and subject starts pending again.
 */
import type {
  Condition,
  GitOpsKind,
  GitOpsRecord,
  SourceHealth,
} from '@gitops-status/plugin-gitops-common';
import { recordId } from '../merge/identity';
import type { AlertRulesConfig } from './config';
import {
  alertId,
  ALERT_RULE_NAMES,
  type AlertLabels,
  type AlertRuleName,
  type AlertState,
  type AlertTransition,
} from './types';

export interface EvaluateAlertsInput {
  /** Every current record; `entityRefs`, when set, says which entities each is bound to. */
  records: GitOpsRecord[];
  sourceHealth: SourceHealth[];
  previous: AlertState[];
  now: Date;
  config: AlertRulesConfig;
  /**
   * The Argo CD instance whose Applications a cluster's Kubernetes API serves (the cluster's
   * `argocdInstance`, default its name), for ArgoAppMissing.
   */
  argocdInstanceOf?: (cluster: string) => string | undefined;
  /**
   * Argo CD Applications per instance over every current record, for ArgoAppMissing; counted from
   * `records` when absent. A caller that passes only the records that {@link mayRaiseAlert} passes
   * counts them over all records itself.
   */
  argoApplicationsByInstance?: ReadonlyMap<string, number>;
}

export interface EvaluateAlertsResult {
  /** Every state to keep (pending, firing, resolved within retention), sorted by id. */
  next: AlertState[];
  transitions: AlertTransition[];
}

/**
 * What a rule found about one subject: `bad` = the condition holds; `unknown` = it cannot be told
 * now (e.g. the source is failing), so the previous state is kept as it is.
 */
interface Finding {
  subject: string;
  status: 'bad' | 'unknown';
  summary: string;
  labels: AlertLabels;
  entityRefs?: string[];
  /** Evidence that the condition has held since before now (e.g. last success of a source). */
  badSince?: string;
}

interface RuleContext {
  records: GitOpsRecord[];
  sourceHealth: SourceHealth[];
  argocdInstanceOf: (cluster: string) => string | undefined;
  argoApplicationsByInstance: ReadonlyMap<string, number>;
}

type Rule = (ctx: RuleContext) => Finding[];

const MAX_SUMMARY = 1000;

function clip(s: string): string {
  return s.length > MAX_SUMMARY ? `${s.slice(0, MAX_SUMMARY - 1)}…` : s;
}

function describe(r: GitOpsRecord): string {
  return `${r.kind} ${r.namespace}/${r.name} on ${r.cluster}`;
}

function because(...parts: Array<string | undefined>): string {
  const text = parts.filter(Boolean).join(': ');
  return text ? `: ${text}` : '';
}

function recordLabels(r: GitOpsRecord): AlertLabels {
  return {
    cluster: r.cluster,
    namespace: r.namespace,
    kind: r.kind,
    name: r.name,
    tool: r.tool,
  };
}

function refsOf(r: GitOpsRecord): string[] | undefined {
  return r.entityRefs?.length ? [...new Set(r.entityRefs)].sort() : undefined;
}

function recordFinding(r: GitOpsRecord, summary: string): Finding {
  return {
    subject: recordId(r),
    status: 'bad',
    summary: clip(summary),
    labels: recordLabels(r),
    entityRefs: refsOf(r),
  };
}

function readyOf(r: GitOpsRecord): Condition | undefined {
  return r.conditions.find(c => c.type === 'Ready');
}

/*
 * What each record-based rule finds bad about one record. The rules and mayRaiseAlert share these,
 * so a record mayRaiseAlert turns away cannot be one a rule reports.
 */

/** The Flux kinds with a not-ready rule. */
const NOT_READY_KINDS: readonly GitOpsKind[] = [
  'Kustomization',
  'HelmRelease',
  'GitRepository',
  'OCIRepository',
  'Bucket',
  'HelmRepository',
];

/** Flux object not ready: Ready=False, or Degraded by kstatus; never while suspended. */
function isFluxNotReady(r: GitOpsRecord): boolean {
  return (
    r.tool === 'flux' &&
    !r.suspended &&
    (readyOf(r)?.status === 'False' || r.health === 'Degraded')
  );
}

const isActiveApplication = (r: GitOpsRecord) =>
  r.tool === 'argocd' && r.kind === 'Application' && !r.suspended;

const isArgoAppNotSynced = (r: GitOpsRecord) =>
  isActiveApplication(r) && r.sync !== 'Synced';

const isArgoAppDegraded = (r: GitOpsRecord) =>
  isActiveApplication(r) && r.health === 'Degraded';

const isFluxConfigNonCompliant = (r: GitOpsRecord) =>
  r.kind === 'FluxConfig' && !r.suspended && r.compliance === 'NonCompliant';

const EXTENSION_PREFIX = 'FluxExtension/';

/** The failed microsoft.flux extensions a FluxConfig record reports (see fluxExtensionFailed). */
function failedExtensions(
  r: GitOpsRecord,
): Array<{ name: string; message: string }> {
  if (r.kind !== 'FluxConfig') return [];
  const hits = r.conditions
    .filter(c => c.type.startsWith(EXTENSION_PREFIX) && c.status === 'False')
    .map(c => ({
      name: c.type.slice(EXTENSION_PREFIX.length) || 'flux',
      message: [c.reason, c.message].filter(Boolean).join(': '),
    }));
  if (!hits.length && r.reason === 'FluxExtensionFailed') {
    hits.push({ name: 'flux', message: r.message ?? 'Failed' });
  }
  return hits;
}

/**
 * Whether any record-based rule can report this record (or, for FluxExtensionProvisioningFailed,
 * take part in what it reports). The rules' result over every record equals their result over the
 * records this passes, given the Argo CD Application counts of every record
 * (`argoApplicationsByInstance`): the only use the rules make of the others. A new rule that reads
 * records must be covered here.
 */
export function mayRaiseAlert(r: GitOpsRecord): boolean {
  return (
    (NOT_READY_KINDS.includes(r.kind) && isFluxNotReady(r)) ||
    isArgoAppNotSynced(r) ||
    isArgoAppDegraded(r) ||
    isFluxConfigNonCompliant(r) ||
    failedExtensions(r).length > 0
  );
}

/** The Argo CD instance of an Application, which ArgoAppMissing counts (suspended ones too). */
export function argoApplicationInstance(r: GitOpsRecord): string | undefined {
  return r.tool === 'argocd' && r.kind === 'Application' && r.instance
    ? r.instance
    : undefined;
}

function countArgoApplications(records: GitOpsRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) {
    const instance = argoApplicationInstance(r);
    if (instance) counts.set(instance, (counts.get(instance) ?? 0) + 1);
  }
  return counts;
}

function notReady(kind: GitOpsKind): Rule {
  return ({ records }) =>
    records
      .filter(r => r.kind === kind && isFluxNotReady(r))
      .map(r => {
        const ready = readyOf(r);
        const why =
          ready?.status === 'False'
            ? because(ready.reason, ready.message)
            : because(r.reason, r.message);
        return recordFinding(r, `${describe(r)} is not ready${why}`);
      });
}

const argoAppNotSynced: Rule = ({ records }) =>
  records
    .filter(isArgoAppNotSynced)
    .map(r =>
      recordFinding(
        r,
        `${describe(r)} is ${r.sync}${because(
          r.operation?.phase,
          r.operation?.message,
        )}`,
      ),
    );

const argoAppDegraded: Rule = ({ records }) =>
  records
    .filter(isArgoAppDegraded)
    .map(r =>
      recordFinding(r, `${describe(r)} is Degraded${because(r.message)}`),
    );

/**
 * An Argo CD instance that reports no Applications: an `argocd-api:<name>` target, or a cluster
 * whose Kubernetes API serves the Application kind (not in its skipped kinds). When both watch the
 * same instance, the API target speaks for it. A failing target cannot tell (unknown).
 */
const argoAppMissing: Rule = ({
  sourceHealth,
  argocdInstanceOf,
  argoApplicationsByInstance: appsByInstance,
}) => {
  const apiInstances = new Set(
    sourceHealth.filter(h => h.type === 'argocd-api').map(h => h.target),
  );
  const findings: Finding[] = [];
  for (const h of sourceHealth) {
    let instance: string | undefined;
    let labels: AlertLabels;
    if (h.type === 'argocd-api') {
      instance = h.target;
      labels = { kind: 'Application', name: instance, tool: 'argocd' };
    } else if (
      h.type === 'kubernetes' &&
      Array.isArray(h.skippedKinds) &&
      !h.skippedKinds.includes('Application')
    ) {
      instance = argocdInstanceOf(h.target) ?? h.target;
      if (apiInstances.has(instance)) continue;
      labels = {
        cluster: h.target,
        kind: 'Application',
        name: instance,
        tool: 'argocd',
      };
    } else {
      continue;
    }
    if (h.status !== 'ok') {
      findings.push({
        subject: h.id,
        status: 'unknown',
        summary: '',
        labels: { ...labels, source: h.id },
      });
    } else if (!appsByInstance.get(instance)) {
      findings.push({
        subject: h.id,
        status: 'bad',
        summary: clip(
          `Argo CD instance ${instance} (${h.id}) reports no applications`,
        ),
        labels: { ...labels, source: h.id },
      });
    }
  }
  return findings;
};

const fluxConfigNonCompliant: Rule = ({ records }) =>
  records
    .filter(isFluxConfigNonCompliant)
    .map(r =>
      recordFinding(
        r,
        `${describe(r)} is non-compliant${because(r.reason, r.message)}`,
      ),
    );

/**
 * A failed microsoft.flux extension: the Azure source puts a `FluxExtension/<name>` condition on
 * every FluxConfig of the cluster (False when Failed / Canceled) and sets the record's reason to
 * `FluxExtension<provisioningState>`. One alert per cluster and extension, bound to the entities
 * of all that cluster's configurations.
 */
const fluxExtensionFailed: Rule = ({ records }) => {
  const byKey = new Map<
    string,
    { cluster: string; name: string; messages: Set<string>; refs: Set<string> }
  >();
  for (const r of records) {
    for (const hit of failedExtensions(r)) {
      const key = `${r.cluster}|${EXTENSION_PREFIX}${hit.name}`;
      const entry = byKey.get(key) ?? {
        cluster: r.cluster,
        name: hit.name,
        messages: new Set<string>(),
        refs: new Set<string>(),
      };
      if (hit.message) entry.messages.add(hit.message);
      for (const ref of r.entityRefs ?? []) entry.refs.add(ref);
      byKey.set(key, entry);
    }
  }
  return [...byKey].map(([subject, e]) => ({
    subject,
    status: 'bad' as const,
    summary: clip(
      `Flux extension ${e.name} on ${e.cluster} failed to provision${because(
        [...e.messages].sort().join('; '),
      )}`,
    ),
    labels: { cluster: e.cluster, kind: 'FluxExtension', name: e.name },
    entityRefs: e.refs.size ? [...e.refs].sort() : undefined,
  }));
};

/**
 * A source target in error. It fires after `for` (default: N collection cycles) counted from the
 * target's last success, i.e. when `now - lastSuccessAt` exceeds N cycles.
 */
const sourceStale: Rule = ({ sourceHealth }) =>
  sourceHealth
    .filter(h => h.status === 'error')
    .map(h => ({
      subject: h.id,
      status: 'bad' as const,
      summary: clip(
        `Source ${h.id} is failing${
          h.lastSuccessAt ? ` (last success ${h.lastSuccessAt})` : ''
        }${because(h.message)}`,
      ),
      labels: {
        source: h.id,
        ...(h.type === 'kubernetes' ? { cluster: h.target } : {}),
        name: h.target,
      },
      badSince: h.lastSuccessAt,
    }));

export const RULES: Record<AlertRuleName, Rule> = {
  KustomizationNotReady: notReady('Kustomization'),
  HelmReleaseNotReady: notReady('HelmRelease'),
  GitRepositoryNotReady: notReady('GitRepository'),
  OCIRepositoryNotReady: notReady('OCIRepository'),
  BucketNotReady: notReady('Bucket'),
  HelmRepositoryNotReady: notReady('HelmRepository'),
  ArgoAppNotSynced: argoAppNotSynced,
  ArgoAppDegraded: argoAppDegraded,
  ArgoAppMissing: argoAppMissing,
  FluxConfigNonCompliant: fluxConfigNonCompliant,
  FluxExtensionProvisioningFailed: fluxExtensionFailed,
  SourceStale: sourceStale,
};

function ms(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

function transition(
  s: AlertState,
  kind: AlertTransition['transition'],
  at: string,
): AlertTransition {
  const t: AlertTransition = {
    alertId: s.id,
    rule: s.rule,
    severity: s.severity,
    subject: s.subject,
    transition: kind,
    at,
    summary: s.summary,
    labels: s.labels,
  };
  if (s.entityRefs) t.entityRefs = s.entityRefs;
  return t;
}

/** Drops undefined optional fields, so states compare and serialize the same way everywhere. */
function compactState(s: AlertState): AlertState {
  const out = { ...s };
  for (const key of [
    'entityRefs',
    'firedAt',
    'resolvedAt',
    'okSince',
  ] as const) {
    if (out[key] === undefined) delete out[key];
  }
  return out;
}

/** Evaluates every enabled rule against the current records and source health. */
export function evaluateAlerts(
  input: EvaluateAlertsInput,
): EvaluateAlertsResult {
  const { config, previous } = input;
  const nowMs = input.now.getTime();
  const now = input.now.toISOString();
  const ctx: RuleContext = {
    records: input.records,
    sourceHealth: input.sourceHealth,
    argocdInstanceOf: input.argocdInstanceOf ?? (c => c),
    argoApplicationsByInstance:
      input.argoApplicationsByInstance ?? countArgoApplications(input.records),
  };
  const before = new Map(previous.map(s => [s.id, s]));
  const next = new Map<string, AlertState>();
  const transitions: AlertTransition[] = [];

  for (const rule of ALERT_RULE_NAMES) {
    const rc = config.rules[rule];
    if (!rc.enabled) continue;
    for (const f of RULES[rule](ctx)) {
      const id = alertId(rule, f.subject);
      if (next.has(id)) continue;
      const prev = before.get(id);
      if (f.status === 'unknown') {
        // Cannot tell: keep whatever there was, timers included.
        if (prev) next.set(id, prev);
        continue;
      }
      let state: AlertState;
      if (!prev || prev.status === 'resolved') {
        // A new episode. Evidence of an earlier start counts, but never before the last episode.
        let since = Math.min(ms(f.badSince) ?? nowMs, nowMs);
        const lastResolved = ms(prev?.resolvedAt);
        if (lastResolved !== undefined) since = Math.max(since, lastResolved);
        state = {
          id,
          rule,
          severity: rc.severity,
          subject: f.subject,
          status: 'pending',
          since: new Date(since).toISOString(),
          summary: f.summary,
          labels: f.labels,
        };
      } else {
        // Still (or again) bad: same episode; a resolve timer that was running stops.
        state = {
          ...prev,
          severity: rc.severity,
          summary: f.summary,
          labels: f.labels,
          okSince: undefined,
        };
      }
      state.entityRefs = f.entityRefs;
      if (
        state.status === 'pending' &&
        nowMs - (ms(state.since) ?? nowMs) >= rc.forMs
      ) {
        state.status = 'firing';
        state.firedAt = now;
        transitions.push(transition(state, 'fired', now));
      }
      next.set(id, compactState(state));
    }
  }

  // Everything not found bad is good now (or its rule is off).
  for (const prev of previous) {
    if (next.has(prev.id)) continue;
    const rc = config.rules[prev.rule as AlertRuleName];
    const active = rc?.enabled === true;
    if (prev.status === 'pending') continue; // cleared before firing: dropped silently
    if (prev.status === 'resolved') {
      const resolvedAt = ms(prev.resolvedAt) ?? nowMs;
      if (nowMs - resolvedAt <= config.resolvedRetentionMs) {
        next.set(prev.id, prev);
      }
      continue;
    }
    // Firing and good: resolves once good for resolveAfter (at once when the rule is off).
    const okSince = prev.okSince ?? now;
    const goodFor = nowMs - (ms(okSince) ?? nowMs);
    if (active && goodFor < rc.resolveAfterMs) {
      next.set(prev.id, compactState({ ...prev, okSince }));
      continue;
    }
    const resolved = compactState({
      ...prev,
      status: 'resolved',
      resolvedAt: now,
      okSince: undefined,
      summary: active ? prev.summary : clip(`${prev.summary} (rule disabled)`),
    });
    transitions.push(transition(resolved, 'resolved', now));
    next.set(prev.id, resolved);
  }

  return {
    next: [...next.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
    transitions,
  };
}
