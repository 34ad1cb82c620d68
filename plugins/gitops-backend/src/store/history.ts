import type { Knex } from 'knex';
import type {
  HistoryEvent,
  HistoryValues,
} from '@gitops-status/plugin-gitops-common';
import type { NewHistoryEvent } from '../history/events';

/** Rows per multi-row insert: 25 columns × 200 stays far below every engine's parameter limit. */
const CHUNK = 200;

type EventRow = {
  id: number | string;
  record_id: string;
  tool: string;
  cluster: string;
  namespace: string;
  kind: string;
  name: string;
  event: string;
  at: string;
  state: string;
  sync: string;
  health: string;
  compliance: string;
  revision: string | null;
  commit: string | null;
  attempted: string | null;
  message: string | null;
  prev_state: string | null;
  prev_sync: string | null;
  prev_health: string | null;
  prev_compliance: string | null;
  prev_revision: string | null;
  prev_commit: string | null;
};

const cut = (s: string | undefined, n: number) =>
  s === undefined ? null : s.slice(0, n);

function toRow(e: NewHistoryEvent): Omit<EventRow, 'id'> {
  return {
    record_id: e.recordId,
    tool: e.tool,
    cluster: e.cluster,
    namespace: e.namespace,
    kind: e.kind,
    name: e.name,
    event: e.event,
    at: e.at,
    state: e.state,
    sync: e.sync,
    health: e.health,
    compliance: e.compliance,
    revision: cut(e.revision, 512),
    commit: cut(e.commit, 160),
    attempted: cut(e.attempted, 512),
    message: e.message ?? null,
    prev_state: e.previous?.state ?? null,
    prev_sync: e.previous?.sync ?? null,
    prev_health: e.previous?.health ?? null,
    prev_compliance: e.previous?.compliance ?? null,
    prev_revision: cut(e.previous?.revision, 512),
    prev_commit: cut(e.previous?.commit, 160),
  };
}

function fromRow(row: EventRow): HistoryEvent {
  const previous: HistoryValues | undefined = row.prev_state
    ? {
        state: row.prev_state as HistoryValues['state'],
        sync: row.prev_sync as HistoryValues['sync'],
        health: row.prev_health as HistoryValues['health'],
        compliance: row.prev_compliance as HistoryValues['compliance'],
        revision: row.prev_revision ?? undefined,
        commit: row.prev_commit ?? undefined,
      }
    : undefined;
  return {
    id: String(row.id),
    recordId: row.record_id,
    tool: row.tool as HistoryEvent['tool'],
    cluster: row.cluster,
    namespace: row.namespace,
    kind: row.kind as HistoryEvent['kind'],
    name: row.name,
    event: row.event as HistoryEvent['event'],
    at: row.at,
    state: row.state as HistoryEvent['state'],
    sync: row.sync as HistoryEvent['sync'],
    health: row.health as HistoryEvent['health'],
    compliance: row.compliance as HistoryEvent['compliance'],
    revision: row.revision ?? undefined,
    commit: row.commit ?? undefined,
    attempted: row.attempted ?? undefined,
    message: row.message ?? undefined,
    previous,
  };
}

export async function insertHistoryEvents(
  db: Knex | Knex.Transaction,
  events: NewHistoryEvent[],
): Promise<number> {
  const rows = events.map(toRow);
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db('gitops_record_events').insert(rows.slice(i, i + CHUNK));
  }
  return rows.length;
}

/** Remembers entity ↔ object bindings for history (insert-only). */
export async function rememberHistoryBindings(
  db: Knex | Knex.Transaction,
  bindings: Array<{ entity_ref: string; record_id: string }>,
): Promise<void> {
  for (let i = 0; i < bindings.length; i += CHUNK * 2) {
    await db('gitops_history_bindings')
      .insert(bindings.slice(i, i + CHUNK * 2))
      .onConflict(['entity_ref', 'record_id'])
      .ignore();
  }
}

export interface HistoryQuery {
  /** Entity refs (lower-cased keys) whose objects' events to list. */
  entityRefs: string[];
  /** Only events with a smaller id (the previous page's `nextCursor`). */
  before?: string;
  limit: number;
  /** Only these event types. */
  events?: string[];
}

function entityEvents(db: Knex, entityRefs: string[]) {
  return db('gitops_record_events as e').whereIn(
    'e.record_id',
    db('gitops_history_bindings')
      .whereIn('entity_ref', entityRefs)
      .select('record_id'),
  );
}

/** A page of the events of the objects ever bound to these entities, newest first. */
export async function listHistoryEvents(
  db: Knex,
  query: HistoryQuery,
): Promise<{ events: HistoryEvent[]; nextCursor?: string }> {
  if (!query.entityRefs.length) return { events: [] };
  let q = entityEvents(db, query.entityRefs);
  if (query.before !== undefined) q = q.where('e.id', '<', query.before);
  if (query.events?.length) q = q.whereIn('e.event', query.events);
  const rows: EventRow[] = await q
    .orderBy('e.id', 'desc')
    .limit(query.limit + 1)
    .select('e.*');
  const page = rows.slice(0, query.limit).map(fromRow);
  return {
    events: page,
    nextCursor:
      rows.length > query.limit ? page[page.length - 1].id : undefined,
  };
}

/**
 * The events deployments are read from: every `deployed`, `transition` and `removed` event of
 * these entities' objects, newest first, at most `limit`.
 */
export async function listDeploymentEvents(
  db: Knex,
  entityRefs: string[],
  limit: number,
): Promise<HistoryEvent[]> {
  if (!entityRefs.length) return [];
  const rows: EventRow[] = await entityEvents(db, entityRefs)
    .whereIn('e.event', ['deployed', 'transition', 'removed'])
    .orderBy('e.id', 'desc')
    .limit(limit)
    .select('e.*');
  return rows.map(fromRow);
}

/**
 * Deletes events older than `before`, and remembered bindings of objects that have neither a
 * current record nor an event left. Returns the events deleted.
 */
export async function pruneHistory(db: Knex, before: Date): Promise<number> {
  const deleted = await db('gitops_record_events')
    .where('at', '<', before.toISOString())
    .delete();
  if (deleted) {
    await db('gitops_history_bindings')
      .whereNotIn('record_id', db('gitops_records').select('record_id'))
      .whereNotIn('record_id', db('gitops_record_events').distinct('record_id'))
      .delete();
  }
  return deleted;
}
