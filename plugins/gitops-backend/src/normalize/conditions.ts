import type { Condition } from '@gitops-status/plugin-gitops-common';
import { asObject, int, isoTime, list } from './raw';
import { compact } from './record';
import { MAX_CONDITIONS } from './limits';
import { describeRaw, droppedNote, shortText, text } from './text';

export interface ReadConditions {
  conditions: Condition[];
  /** Condition types whose `status` was not True/False/Unknown (kept as Unknown). */
  malformed: Set<string>;
  /** Human-readable notes about malformed values, for the record's message. */
  notes: string[];
}

/**
 * Reads `metav1.Condition`-shaped entries (Flux `status.conditions`, Azure `statusConditions`).
 * Entries without a type are dropped; an unrecognised status becomes Unknown and is noted.
 */
export function readConditions(value: unknown): ReadConditions {
  const conditions: Condition[] = [];
  const malformed = new Set<string>();
  const notes: string[] = [];
  const entries = list(value);
  const dropped = droppedNote('conditions', entries.length, MAX_CONDITIONS);
  if (dropped) notes.push(dropped);
  for (const entry of entries.slice(0, MAX_CONDITIONS)) {
    const c = asObject(entry);
    const type = shortText(c?.type);
    if (!c || !type) continue;
    const status = conditionStatus(c.status);
    if (!status) {
      malformed.add(type);
      notes.push(
        `condition ${type} status ${describeRaw(c.status)} not recognised`,
      );
    }
    conditions.push(
      compact({
        type,
        status: status ?? 'Unknown',
        reason: shortText(c.reason),
        message: text(c.message),
        lastTransitionTime: isoTime(c.lastTransitionTime),
        observedGeneration: int(c.observedGeneration),
      }),
    );
  }
  return { conditions, malformed, notes };
}

/**
 * `"True" | "False" | "Unknown"` per the Kubernetes API conventions. YAML written by hand often
 * has unquoted `status: True`, which parses as a boolean; that reads the same.
 */
export function conditionStatus(
  value: unknown,
): Condition['status'] | undefined {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value !== 'string') return undefined;
  switch (value.trim().toLowerCase()) {
    case 'true':
      return 'True';
    case 'false':
      return 'False';
    case 'unknown':
      return 'Unknown';
    default:
      return undefined;
  }
}

export function findCondition(
  conditions: Condition[],
  type: string,
): Condition | undefined {
  return conditions.find(c => c.type === type);
}
