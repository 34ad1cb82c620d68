/*
 * Test-only: what a Flux fixture says about itself. Expected verdicts are read from the file's own
 * conditions (and cross-checked against its name), never from the normalizer under test.
 */
import type {
  ComplianceState,
  HealthStatus,
} from '@gitops-status/plugin-gitops-common';

export interface RawCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export function conditionsIn(status: any): RawCondition[] {
  return Array.isArray(status?.conditions) ? status.conditions : [];
}

export function conditionIn(
  status: any,
  type: string,
): RawCondition | undefined {
  return conditionsIn(status).find(c => c.type === type);
}

export interface ConditionClaim {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
}

const capitalized = (s: string) =>
  (s[0].toUpperCase() + s.slice(1).toLowerCase()) as ConditionClaim['status'];

/** File-name tokens and the condition each claims; the first match wins. */
const TOKEN_CLAIMS: Array<[RegExp, (m: RegExpExecArray) => ConditionClaim]> = [
  [/^ready$/, () => ({ type: 'Ready', status: 'True' })],
  [
    /^ready-(true|false|unknown)(?:-(\w+))?$/i,
    m => ({ type: 'Ready', status: capitalized(m[1]), reason: m[2] }),
  ],
  [/^ready-(\w+)$/, m => ({ type: 'Ready', status: 'True', reason: m[1] })],
  [
    /^stalled(?:-(\w+))?$/,
    m => ({ type: 'Stalled', status: 'True', reason: m[1] }),
  ],
  [
    /^reconciling(?:-(\w+))?$/,
    m => ({ type: 'Reconciling', status: 'True', reason: m[1] }),
  ],
  [/^fetchfailed$/, () => ({ type: 'FetchFailed', status: 'True' })],
];

/**
 * The condition claims a fixture file name makes: `ready-false-GitOperationFailed` (Ready False,
 * reason GitOperationFailed), `ready-TestSucceeded` / `ready-true` / `ready` (Ready True),
 * `ready-unknown`, `stalled-RetriesExceeded`, `reconciling[-ProgressingWithRetry]`, `fetchfailed`.
 */
export function claimsFromFileName(file: string): ConditionClaim[] {
  const tokens = file.replace(/\.[a-z]+$/, '').split('_');
  return tokens.flatMap(t => {
    for (const [pattern, claim] of TOKEN_CLAIMS) {
      const m = pattern.exec(t);
      if (m) return [claim(m)];
    }
    return [];
  });
}

export interface ExpectedVerdict {
  health: HealthStatus;
  compliance: ComplianceState;
  /** The condition whose reason and message the record must carry. */
  because?: RawCondition;
}

/**
 * The documented rules (see kstatus.ts), applied to the file's own data: suspended first; Stalled
 * → Degraded; Ready=False → Degraded (even while Reconciling, as Argo CD); Reconciling or
 * Ready=Unknown → Progressing; Ready=True → Healthy (Pending compliance while attempted ≠
 * applied); no Ready yet → Progressing.
 */
export function expectedVerdict(
  obj: any,
  applied?: string,
  attempted?: string,
): ExpectedVerdict {
  const status = obj?.status;
  const ready = conditionIn(status, 'Ready');
  const stalled = conditionIn(status, 'Stalled');
  const reconciling = conditionIn(status, 'Reconciling');
  if (obj?.spec?.suspend === true) {
    return { health: 'Suspended', compliance: 'Suspended' };
  }
  if (stalled?.status === 'True') {
    return { health: 'Degraded', compliance: 'NonCompliant', because: stalled };
  }
  if (ready?.status === 'False') {
    return { health: 'Degraded', compliance: 'NonCompliant', because: ready };
  }
  if (reconciling?.status === 'True' || ready?.status === 'Unknown') {
    return {
      health: 'Progressing',
      compliance: 'Pending',
      because: ready ?? reconciling,
    };
  }
  if (ready?.status === 'True') {
    const mismatch = !!applied && !!attempted && applied !== attempted;
    return {
      health: 'Healthy',
      compliance: mismatch ? 'Pending' : 'Compliant',
      because: ready,
    };
  }
  return { health: 'Progressing', compliance: 'Pending' };
}
