import type {
  ComplianceState,
  GitOpsRecord,
  GitOpsState,
  HealthStatus,
  SyncStatus,
} from './model';

/**
 * The one-word state the UI colours by, from sync, health and compliance.
 * Pure: the same three values always give the same state.
 * @public
 */
export function deriveState(input: {
  sync: SyncStatus;
  health: HealthStatus;
  compliance: ComplianceState;
  suspended?: boolean;
}): GitOpsState {
  const { sync, health, compliance } = input;
  if (input.suspended || health === 'Suspended' || compliance === 'Suspended') {
    return 'suspended';
  }
  if (
    health === 'Degraded' ||
    health === 'Missing' ||
    compliance === 'NonCompliant'
  ) {
    return 'error';
  }
  if (health === 'Progressing' || compliance === 'Pending') {
    return 'progressing';
  }
  if (sync === 'OutOfSync') {
    return 'warning';
  }
  if (health === 'Healthy') {
    return 'ok';
  }
  return 'unknown';
}

/** From most to least urgent; the worst state of a set is the first one present. @public */
export const STATE_SEVERITY_ORDER: readonly GitOpsState[] = [
  'error',
  'warning',
  'progressing',
  'unknown',
  'suspended',
  'ok',
];

/** @public */
export function worstState(
  states: Iterable<GitOpsState>,
): GitOpsState | undefined {
  let worst: number | undefined;
  for (const s of states) {
    const i = STATE_SEVERITY_ORDER.indexOf(s);
    // A value outside the enum (bad data) must not win as "most severe" at index -1.
    if (i >= 0 && (worst === undefined || i < worst)) worst = i;
  }
  return worst === undefined ? undefined : STATE_SEVERITY_ORDER[worst];
}

/** @public */
export interface StatusSummary {
  total: number;
  byState: Record<GitOpsState, number>;
  /** Worst state over all records; undefined when there are none. */
  state?: GitOpsState;
  clusters: string[];
  tools: string[];
  lastReconciledAt?: string;
}

/** @public */
export function summarize(
  records: ReadonlyArray<
    Pick<GitOpsRecord, 'state' | 'cluster' | 'tool' | 'lastReconciledAt'>
  >,
): StatusSummary {
  const byState: Record<GitOpsState, number> = {
    ok: 0,
    progressing: 0,
    warning: 0,
    error: 0,
    suspended: 0,
    unknown: 0,
  };
  const clusters = new Set<string>();
  const tools = new Set<string>();
  let last: string | undefined;
  for (const r of records) {
    if (Object.prototype.hasOwnProperty.call(byState, r.state)) {
      byState[r.state]++;
    }
    clusters.add(r.cluster);
    tools.add(r.tool);
    const t = r.lastReconciledAt ? Date.parse(r.lastReconciledAt) : NaN;
    // An unparseable time would otherwise stick: NaN never compares greater.
    if (Number.isFinite(t) && (!last || t > Date.parse(last))) {
      last = r.lastReconciledAt;
    }
  }
  return {
    total: records.length,
    byState,
    state: worstState(records.map(r => r.state)),
    clusters: [...clusters].sort(),
    tools: [...tools].sort(),
    lastReconciledAt: last,
  };
}
