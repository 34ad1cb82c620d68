import type {
  GitOpsRecord,
  HistoryEvent,
  HistoryEventType,
  HistoryValues,
} from '@gitops-status/plugin-gitops-common';
import { recordId } from '../merge/identity';

/** A history event before the store gives it an id. */
export type NewHistoryEvent = Omit<HistoryEvent, 'id'>;

/** Longest message kept in an event; the record itself keeps the full one. */
export const HISTORY_MESSAGE_LIMIT = 1000;

function values(r: GitOpsRecord): HistoryValues {
  return {
    state: r.state,
    sync: r.sync,
    health: r.health,
    compliance: r.compliance,
    revision: r.revision.applied,
    commit: r.revision.commit,
  };
}

function message(r: GitOpsRecord): string | undefined {
  const text = [r.reason, r.message].filter(Boolean).join(': ');
  if (!text) return undefined;
  return text.length > HISTORY_MESSAGE_LIMIT
    ? `${text.slice(0, HISTORY_MESSAGE_LIMIT - 1)}…`
    : text;
}

/**
 * The event a record change is, if any: appearing, disappearing, a new applied revision, or a
 * change of sync, health, compliance, state or attempted revision. Changes of anything else
 * (messages, conditions, times) are not history. Pure.
 */
export function historyEventFor(
  before: GitOpsRecord | undefined,
  after: GitOpsRecord | undefined,
  at: string,
): NewHistoryEvent | undefined {
  const current = after ?? before;
  if (!current) return undefined;
  let event: HistoryEventType;
  if (!before) event = 'appeared';
  else if (!after) event = 'removed';
  else if (
    after.revision.applied &&
    after.revision.applied !== before.revision.applied
  )
    event = 'deployed';
  else {
    const a = values(after);
    const b = values(before);
    const changed =
      a.state !== b.state ||
      a.sync !== b.sync ||
      a.health !== b.health ||
      a.compliance !== b.compliance ||
      a.revision !== b.revision ||
      after.revision.attempted !== before.revision.attempted;
    if (!changed) return undefined;
    event = 'transition';
  }
  return {
    recordId: recordId(current),
    tool: current.tool,
    cluster: current.cluster,
    namespace: current.namespace,
    kind: current.kind,
    name: current.name,
    event,
    at,
    ...values(current),
    attempted: current.revision.attempted,
    message: message(current),
    previous: before && after ? values(before) : undefined,
  };
}
