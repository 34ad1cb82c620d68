import type { Knex } from 'knex';
import { DatabaseService } from '@backstage/backend-plugin-api';
import { migratedClient } from './migrations';
import type {
  AlertEvent,
  AlertSeverity,
  AlertState,
  AlertStatus,
  AlertTransition,
} from '../alerts/types';

/** Rows per multi-row insert: far below every engine's bound-parameter limit. */
const CHUNK = 200;

export interface AlertQuery {
  status?: AlertStatus[];
  rule?: string[];
  severity?: AlertSeverity[];
  cluster?: string[];
  /** Only alerts about these subjects (record ids, source target ids). */
  subjects?: string[];
  /** Only alerts bound to one of these entities. */
  entityRefs?: string[];
  /**
   * What the caller may see: undefined = everything; otherwise only alerts bound to one of these
   * entities (alerts bound to none, e.g. about a source, are then hidden).
   */
  allowedEntityRefs?: string[];
}

export interface AppliedAlerts {
  /** The transitions this call recorded; one lost to another evaluator is left out. */
  transitions: AlertTransition[];
  /** Alert rows inserted, updated or deleted. */
  writes: number;
}

type AlertRow = {
  id: string;
  rule: string;
  severity: string;
  subject: string;
  status: string;
  since: string;
  fired_at: string | null;
  resolved_at: string | null;
  ok_since: string | null;
  summary: string;
  labels: string;
  entity_refs: string | null;
};

const STATUS_ORDER: Record<string, number> = {
  firing: 0,
  pending: 1,
  resolved: 2,
};
const SEVERITY_ORDER: Record<string, number> = {
  critical: 0,
  warning: 1,
  info: 2,
};

/**
 * Alert states and their transition history. Several evaluators (backend replicas) may share the
 * database: every write is conditional on the row still being what the writer evaluated from, so
 * of two evaluators racing on one state exactly one records each transition.
 */
export class AlertStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<AlertStore> {
    return new AlertStore(
      await migratedClient(options.database, options.skipMigrations),
    );
  }

  constructor(private readonly db: Knex) {}

  /** Every stored state (pending, firing and recently resolved). */
  async load(): Promise<AlertState[]> {
    return AlertStore.read(this.db);
  }

  private static async read(db: Knex | Knex.Transaction) {
    const rows: AlertRow[] = await db('gitops_alerts').orderBy('id');
    return rows.map(fromRow);
  }

  /**
   * Writes the evaluated states. `previous` is what they were evaluated from (what `load()` gave);
   * without it the stored rows at the time of writing are taken. Only states that differ from
   * `previous` are written, each only if its row is still as in `previous` (same status and
   * episode), and a transition is recorded only by the writer whose update of the row took effect:
   * a 'fired' event only if the row was pending, a 'resolved' one only if it was firing.
   */
  async apply(
    next: AlertState[],
    transitions: AlertTransition[],
    previous?: AlertState[],
  ): Promise<AppliedAlerts> {
    if (previous) {
      const before = new Map(previous.map(s => [s.id, rowKey(toRow(s))]));
      const unchanged =
        previous.length === next.length &&
        next.every(s => before.get(s.id) === rowKey(toRow(s)));
      if (unchanged && !transitions.length) {
        return { transitions: [], writes: 0 };
      }
    }
    return this.db.transaction(async tx => {
      const prevById = new Map(
        (previous ?? (await AlertStore.read(tx))).map(s => [s.id, s]),
      );
      const nextById = new Map(next.map(s => [s.id, s]));
      const transitionById = new Map(transitions.map(t => [t.alertId, t]));
      const recorded: AlertTransition[] = [];
      let inserts: AlertRow[] = [];
      let writes = 0;

      // New rows go in batches, flushed before any other row is touched: every writer then locks
      // rows in id order (no deadlock between two PostgreSQL evaluators).
      const flush = async () => {
        if (!inserts.length) return;
        await tx('gitops_alerts').insert(inserts).onConflict('id').ignore();
        writes += inserts.length;
        inserts = [];
      };

      const record = async (t: AlertTransition) => {
        await tx('gitops_alert_events').insert({
          alert_id: t.alertId,
          rule: t.rule,
          severity: t.severity,
          transition: t.transition,
          at: t.at,
          summary: t.summary,
        });
        recorded.push(t);
      };

      const ids = [...new Set([...prevById.keys(), ...nextById.keys()])].sort();
      for (const id of ids) {
        const prev = prevById.get(id);
        const state = nextById.get(id);
        const t = transitionById.get(id);
        if (state && !prev && !t) {
          inserts.push(toRow(state));
          if (inserts.length >= CHUNK) await flush();
          continue;
        }
        if (state && prev && !t && rowKey(toRow(prev)) === rowKey(toRow(state)))
          continue;
        await flush();
        if (!state) {
          // Dropped (cleared while pending, or past retention).
          writes += await tx('gitops_alerts')
            .where({ id, status: prev!.status, since: prev!.since })
            .delete();
          continue;
        }
        const row = toRow(state);

        if (t?.transition === 'fired') {
          // Make sure the row exists as this episode's pending state, then flip it to firing
          // only if it still is pending: of two racing evaluators one update finds it firing.
          let episode = prev?.since;
          if (!prev || prev.status === 'resolved') {
            const pendingRow = {
              ...row,
              status: 'pending',
              fired_at: null,
              resolved_at: null,
              ok_since: null,
            };
            if (!prev) {
              await tx('gitops_alerts')
                .insert(pendingRow)
                .onConflict('id')
                .ignore();
            } else {
              await tx('gitops_alerts')
                .where({ id, status: 'resolved', since: prev.since })
                .update(pendingRow);
            }
            episode = state.since;
          }
          const won = await tx('gitops_alerts')
            .where({ id, status: 'pending', since: episode })
            .update(row);
          writes += won;
          if (won === 1) await record(t);
        } else if (t?.transition === 'resolved') {
          const won = await tx('gitops_alerts')
            .where({ id, status: 'firing', since: prev?.since ?? state.since })
            .update(row);
          writes += won;
          if (won === 1) await record(t);
        } else if (prev) {
          writes += await tx('gitops_alerts')
            .where({ id, status: prev.status, since: prev.since })
            .update(row);
        }
      }
      await flush();
      return { transitions: recorded, writes };
    });
  }

  /** Stored alerts matching the query: firing first, then pending, then resolved; worst first. */
  async listAlerts(query: AlertQuery = {}): Promise<AlertState[]> {
    let q = this.db('gitops_alerts');
    if (query.status?.length) q = q.whereIn('status', query.status);
    if (query.rule?.length) q = q.whereIn('rule', query.rule);
    if (query.severity?.length) q = q.whereIn('severity', query.severity);
    // A few subjects (an entity page's objects) are an indexed IN list; many are filtered below.
    if (query.subjects && query.subjects.length <= CHUNK) {
      if (!query.subjects.length) return [];
      q = q.whereIn('subject', query.subjects);
    }
    const rows: AlertRow[] = await q.select();
    const subjects = query.subjects && new Set(query.subjects);
    const clusters = query.cluster && new Set(query.cluster);
    const wanted = query.entityRefs && new Set(query.entityRefs);
    const allowed = query.allowedEntityRefs && new Set(query.allowedEntityRefs);
    return rows
      .map(fromRow)
      .filter(
        a =>
          (!subjects || subjects.has(a.subject)) &&
          (!clusters ||
            (!!a.labels.cluster && clusters.has(a.labels.cluster))) &&
          (!wanted || !!a.entityRefs?.some(ref => wanted.has(ref))) &&
          (!allowed || !!a.entityRefs?.some(ref => allowed.has(ref))),
      )
      .sort(
        (a, b) =>
          STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
          (SEVERITY_ORDER[a.severity] ?? 9) -
            (SEVERITY_ORDER[b.severity] ?? 9) ||
          compareText(b.since, a.since) ||
          compareText(a.id, b.id),
      );
  }

  /** Transition history, newest first. */
  async listEvents(
    query: { alertIds?: string[]; since?: string; limit?: number } = {},
  ): Promise<AlertEvent[]> {
    const limit = query.limit ?? 1000;
    const page = (alertIds?: string[]) => {
      let q = this.db('gitops_alert_events');
      if (alertIds) q = q.whereIn('alert_id', alertIds);
      if (query.since) q = q.where('at', '>=', query.since);
      return q
        .orderBy([
          { column: 'at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(limit);
    };
    let rows: any[];
    if (!query.alertIds) {
      rows = await page();
    } else {
      // IN lists in chunks, far below every engine's bound-parameter limit.
      rows = [];
      for (let i = 0; i < query.alertIds.length; i += CHUNK) {
        rows.push(...(await page(query.alertIds.slice(i, i + CHUNK))));
      }
      rows.sort(
        (a, b) => compareText(b.at, a.at) || Number(b.id) - Number(a.id),
      );
      rows = rows.slice(0, limit);
    }
    return rows.map(row => ({
      id: Number(row.id),
      alertId: row.alert_id,
      rule: row.rule,
      severity: row.severity,
      transition: row.transition,
      at: row.at,
      summary: row.summary,
    }));
  }

  /** Deletes transition events older than `before`. */
  async pruneEvents(before: Date): Promise<number> {
    return this.db('gitops_alert_events')
      .where('at', '<', before.toISOString())
      .delete();
  }
}

/** Code-point order (ISO times sort chronologically). */
function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function rowKey(row: AlertRow): string {
  return JSON.stringify(row);
}

function toRow(s: AlertState): AlertRow {
  return {
    id: s.id,
    rule: s.rule,
    severity: s.severity,
    subject: s.subject,
    status: s.status,
    since: s.since,
    fired_at: s.firedAt ?? null,
    resolved_at: s.resolvedAt ?? null,
    ok_since: s.okSince ?? null,
    summary: s.summary,
    labels: JSON.stringify(s.labels),
    entity_refs: s.entityRefs?.length ? JSON.stringify(s.entityRefs) : null,
  };
}

function fromRow(row: AlertRow): AlertState {
  const s: AlertState = {
    id: row.id,
    rule: row.rule,
    severity: row.severity as AlertSeverity,
    subject: row.subject,
    status: row.status as AlertStatus,
    since: row.since,
    summary: row.summary,
    labels: JSON.parse(row.labels),
  };
  if (row.entity_refs) s.entityRefs = JSON.parse(row.entity_refs);
  if (row.fired_at) s.firedAt = row.fired_at;
  if (row.resolved_at) s.resolvedAt = row.resolved_at;
  if (row.ok_since) s.okSince = row.ok_since;
  return s;
}
