import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { DatabaseService } from '@backstage/backend-plugin-api';
import type {
  AlertSeverity,
  ExternalAlert,
  ExternalAlertOrigin,
} from '@gitops-status/plugin-gitops-common';
import { migratedClient } from './migrations';

/** Rows per multi-row insert or IN list: far below every engine's bound-parameter limit. */
const CHUNK = 200;

export interface ExternalAlertQuery {
  /** Only alerts naming a record bound to one of these entities. */
  entityRefs?: string[];
  /**
   * What the caller may see: undefined = everything; otherwise only alerts naming a record bound to
   * one of these entities, and only these entities in each alert's `entityRefs`.
   */
  allowedEntityRefs?: string[];
  /** Only alerts naming one of these records. */
  recordIds?: string[];
}

type AlertRow = {
  endpoint: string;
  id: string;
  origin: string;
  alertname: string;
  severity: string;
  summary: string;
  description: string | null;
  since: string;
  url: string;
  labels: string;
  hash: string;
};

type LinkRow = { endpoint: string; alert_id: string; record_id: string };

const SEVERITY_ORDER: Record<string, number> = {
  critical: 0,
  warning: 1,
  info: 2,
};

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) {
    out.push(items.slice(i, i + CHUNK));
  }
  return out;
}

/** Code-point order (ISO times sort chronologically). */
function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

const keyOf = (endpoint: string, id: string) => `${endpoint}\u0000${id}`;

/**
 * The last snapshot of firing alerts of each external endpoint (Prometheus, Alertmanager), and the
 * records each alert names. An entity's alerts are those naming a record bound to it
 * (gitops_entity_bindings), so they follow rebinding without being rewritten.
 */
export class ExternalAlertStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<ExternalAlertStore> {
    return new ExternalAlertStore(
      await migratedClient(options.database, options.skipMigrations),
    );
  }

  constructor(private readonly db: Knex) {}

  /**
   * Replaces the endpoint's snapshot with `alerts` (their `endpoint` field is ignored): alerts no
   * longer listed are deleted, new ones inserted, changed ones updated. Returns the rows written
   * (alerts and record links); an unchanged snapshot writes nothing.
   */
  async replaceEndpoint(
    endpoint: string,
    alerts: ExternalAlert[],
  ): Promise<number> {
    const next = new Map<string, { row: AlertRow; recordIds: string[] }>();
    for (const a of alerts) {
      const recordIds = [...new Set(a.recordIds)].sort();
      next.set(a.id, { row: toRow(endpoint, a, recordIds), recordIds });
    }
    const existing: Array<{ id: string; hash: string }> = await this.db(
      'gitops_external_alerts',
    )
      .where({ endpoint })
      .select('id', 'hash');
    const before = new Map(existing.map(r => [r.id, r.hash]));
    const gone = [...before.keys()].filter(id => !next.has(id));
    const written = [...next.values()].filter(
      ({ row }) => before.get(row.id) !== row.hash,
    );
    if (!gone.length && !written.length) return 0;

    return this.db.transaction(async tx => {
      let writes = 0;
      // Changed alerts lose their links and get them again with the new ones.
      const unlinked = [...gone, ...written.map(w => w.row.id)].sort();
      for (const batch of chunks(unlinked)) {
        writes += await tx('gitops_external_alert_records')
          .where({ endpoint })
          .whereIn('alert_id', batch)
          .delete();
      }
      for (const batch of chunks(gone.sort())) {
        writes += await tx('gitops_external_alerts')
          .where({ endpoint })
          .whereIn('id', batch)
          .delete();
      }
      const rows = written
        .map(w => w.row)
        .sort((a, b) => compareText(a.id, b.id));
      for (const batch of chunks(rows)) {
        // merge: another writer of the same endpoint (a second replica) may have inserted it.
        await tx('gitops_external_alerts')
          .insert(batch)
          .onConflict(['endpoint', 'id'])
          .merge();
        writes += batch.length;
      }
      const links: LinkRow[] = written.flatMap(({ row, recordIds }) =>
        recordIds.map(record_id => ({
          endpoint,
          alert_id: row.id,
          record_id,
        })),
      );
      for (const batch of chunks(links)) {
        await tx('gitops_external_alert_records')
          .insert(batch)
          .onConflict()
          .ignore();
        writes += batch.length;
      }
      return writes;
    });
  }

  /** Deletes the snapshots of endpoints not in `endpoints` (no longer configured). Returns rows deleted. */
  async retainEndpoints(endpoints: string[]): Promise<number> {
    const stale: string[] = (
      await this.db('gitops_external_alerts').distinct('endpoint')
    )
      .map((r: { endpoint: string }) => r.endpoint)
      .filter((e: string) => !endpoints.includes(e));
    if (!stale.length) return 0;
    return this.db.transaction(async tx => {
      let writes = 0;
      for (const batch of chunks(stale)) {
        writes += await tx('gitops_external_alert_records')
          .whereIn('endpoint', batch)
          .delete();
        writes += await tx('gitops_external_alerts')
          .whereIn('endpoint', batch)
          .delete();
      }
      return writes;
    });
  }

  /**
   * Stored alerts matching the query, each with the records it names and the entities those are
   * bound to: worst first, then newest first.
   */
  async list(query: ExternalAlertQuery = {}): Promise<ExternalAlert[]> {
    // Narrow to the alerts naming the records or entities asked for (indexed lookups) first.
    let keys: Map<string, Set<string>> | undefined;
    const narrow = (found: Array<{ endpoint: string; alert_id: string }>) => {
      const next = new Map<string, Set<string>>();
      for (const f of found) {
        if (keys && !keys.get(f.endpoint)?.has(f.alert_id)) continue;
        const ids = next.get(f.endpoint) ?? new Set<string>();
        ids.add(f.alert_id);
        next.set(f.endpoint, ids);
      }
      keys = next;
    };
    if (query.recordIds) {
      const found = [];
      for (const batch of chunks([...new Set(query.recordIds)])) {
        found.push(
          ...(await this.db('gitops_external_alert_records')
            .whereIn('record_id', batch)
            .distinct('endpoint', 'alert_id')),
        );
      }
      narrow(found);
    }
    if (query.entityRefs) {
      const found = [];
      for (const batch of chunks([...new Set(query.entityRefs)])) {
        found.push(
          ...(await this.db('gitops_external_alert_records as l')
            .join('gitops_entity_bindings as b', 'b.record_id', 'l.record_id')
            .whereIn('b.entity_ref', batch)
            .distinct('l.endpoint as endpoint', 'l.alert_id as alert_id')),
        );
      }
      narrow(found);
    }

    /** Runs `read` for all alerts, or per endpoint for the narrowed ones (IN lists in chunks). */
    const readFor = async <T>(
      read: (scope?: { endpoint: string; ids: string[] }) => Promise<T[]>,
    ): Promise<T[]> => {
      if (!keys) return read();
      const out: T[] = [];
      for (const [endpoint, ids] of keys) {
        for (const batch of chunks([...ids])) {
          out.push(...(await read({ endpoint, ids: batch })));
        }
      }
      return out;
    };

    const links: LinkRow[] = await readFor(async scope => {
      const q = this.db('gitops_external_alert_records');
      if (scope)
        q.where({ endpoint: scope.endpoint }).whereIn('alert_id', scope.ids);
      return q.select('endpoint', 'alert_id', 'record_id');
    });
    const bound: Array<Omit<LinkRow, 'record_id'> & { entity_ref: string }> =
      await readFor(async scope => {
        const q = this.db('gitops_external_alert_records as l').join(
          'gitops_entity_bindings as b',
          'b.record_id',
          'l.record_id',
        );
        if (scope) {
          q.where('l.endpoint', scope.endpoint).whereIn(
            'l.alert_id',
            scope.ids,
          );
        }
        return q.distinct(
          'l.endpoint as endpoint',
          'l.alert_id as alert_id',
          'b.entity_ref as entity_ref',
        );
      });
    const rows: AlertRow[] = await readFor(async scope => {
      const q = this.db('gitops_external_alerts');
      if (scope) q.where({ endpoint: scope.endpoint }).whereIn('id', scope.ids);
      return q.select();
    });

    const group = <T extends Omit<LinkRow, 'record_id'>>(
      pairs: T[],
      value: (pair: T) => string,
    ) => {
      const out = new Map<string, Set<string>>();
      for (const p of pairs) {
        const key = keyOf(p.endpoint, p.alert_id);
        const set = out.get(key) ?? new Set<string>();
        set.add(value(p));
        out.set(key, set);
      }
      return out;
    };
    const recordIds = group(links, l => l.record_id);
    const entityRefs = group(bound, b => b.entity_ref);
    const allowed = query.allowedEntityRefs && new Set(query.allowedEntityRefs);

    return rows
      .flatMap(row => {
        const key = keyOf(row.endpoint, row.id);
        const refs = [...(entityRefs.get(key) ?? [])].sort();
        const visible = allowed ? refs.filter(r => allowed.has(r)) : refs;
        if (allowed && !visible.length) return [];
        return [fromRow(row, [...(recordIds.get(key) ?? [])].sort(), visible)];
      })
      .sort(
        (a, b) =>
          (SEVERITY_ORDER[a.severity] ?? 9) -
            (SEVERITY_ORDER[b.severity] ?? 9) ||
          compareText(b.since, a.since) ||
          compareText(a.endpoint, b.endpoint) ||
          compareText(a.id, b.id),
      );
  }
}

function toRow(
  endpoint: string,
  a: ExternalAlert,
  recordIds: string[],
): AlertRow {
  const row: Omit<AlertRow, 'hash'> = {
    endpoint,
    id: a.id,
    origin: a.origin,
    alertname: a.alertname,
    severity: a.severity,
    summary: a.summary,
    description: a.description ?? null,
    since: a.since,
    url: a.url,
    labels: JSON.stringify(a.labels),
  };
  const hash = createHash('sha256')
    .update(JSON.stringify([row, recordIds]))
    .digest('hex');
  return { ...row, hash };
}

function fromRow(
  row: AlertRow,
  recordIds: string[],
  entityRefs: string[],
): ExternalAlert {
  const alert: ExternalAlert = {
    id: row.id,
    endpoint: row.endpoint,
    origin: row.origin as ExternalAlertOrigin,
    alertname: row.alertname,
    severity: row.severity as AlertSeverity,
    summary: row.summary,
    since: row.since,
    url: row.url,
    labels: JSON.parse(row.labels),
    recordIds,
    entityRefs,
  };
  if (row.description !== null) alert.description = row.description;
  return alert;
}
