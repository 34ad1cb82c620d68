import type { Knex } from 'knex';
import { DatabaseService } from '@backstage/backend-plugin-api';
import { migratedClient } from './migrations';
import type {
  GitOpsRecord,
  SourceHealth,
} from '@gitops-status/plugin-gitops-common';
import { recordHash, recordId } from '../merge/identity';
import {
  countDeploymentStates,
  countDeployments,
  facetDeployments,
  listDeploymentRows,
  traceCommit,
  type DeploymentsQuery,
} from './deployments';
import type { DeploymentFacet } from '@gitops-status/plugin-gitops-common';
import { historyEventFor, type NewHistoryEvent } from '../history/events';
import {
  insertHistoryEvents,
  listDeploymentEvents,
  listHistoryEvents,
  pruneHistory,
  rememberHistoryBindings,
  type HistoryQuery,
} from './history';

/** Chunk size for IN lists: far below every engine's bound-parameter limit. */
const CHUNK = 400;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK)
    out.push(items.slice(i, i + CHUNK));
  return out;
}

/** Record columns the deployments view's total, facets and state counts group or filter by. */
const COUNTED_COLUMNS = [
  'state',
  'sync',
  'health',
  'compliance',
  'commit',
] as const;

type StoredRecordRow = { hash: string; data: string } & Record<
  (typeof COUNTED_COLUMNS)[number],
  string | null
>;

/** Merges every observation of one object into the record shown to users. */
export type MergeObservations = (observations: GitOpsRecord[]) => GitOpsRecord;

export interface SnapshotResult {
  /** Records whose merged content changed or appeared. */
  changed: GitOpsRecord[];
  /** Ids of records that no source reports any more. */
  removed: string[];
  /** Rows inserted, updated or deleted (observations + records + history events). */
  writes: number;
  /** History events recorded (included in `writes`). */
  events: number;
}

/** A record bound to entities, as `listEntityRecordRows` reads it. */
export interface EntityRecordRow {
  id: string;
  cluster: string;
  tool: GitOpsRecord['tool'];
  kind: string;
  namespace: string;
  name: string;
  state: GitOpsRecord['state'];
  lastReconciledAt?: string;
  /** The record as stored (JSON of a GitOpsRecord). */
  data: string;
  entityRefs: string[];
  targets: string[];
}

/** The only code that knows SQL: records, observations, entity bindings and source health. */
export class GitOpsStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<GitOpsStore> {
    return new GitOpsStore(
      await migratedClient(options.database, options.skipMigrations),
    );
  }

  constructor(private readonly db: Knex) {}

  /**
   * Replaces what one source target reports with a complete snapshot and re-merges the objects
   * that changed, recording their history (dated `now`: when the change reached the store, so one
   * clock orders every source's changes). Unchanged objects cause no writes. With `bind`, the
   * entities of changed records are set in the same transaction.
   */
  async applyTargetSnapshot(
    targetId: string,
    records: GitOpsRecord[],
    merge: MergeObservations,
    now: Date = new Date(),
    bind?: (record: GitOpsRecord) => string[],
  ): Promise<SnapshotResult> {
    return this.db.transaction(async tx => {
      let writes = 0;
      const existing = new Map<string, string>();
      for (const row of await tx('gitops_observations')
        .where({ target_id: targetId })
        .select('record_id', 'hash')) {
        existing.set(row.record_id, row.hash);
      }

      const incoming = new Map<
        string,
        { hash: string; record: GitOpsRecord }
      >();
      for (const record of records) {
        incoming.set(recordId(record), { hash: recordHash(record), record });
      }

      const upserts: Array<{
        target_id: string;
        record_id: string;
        hash: string;
        data: string;
      }> = [];
      for (const [id, { hash, record }] of incoming) {
        if (existing.get(id) !== hash) {
          upserts.push({
            target_id: targetId,
            record_id: id,
            hash,
            data: JSON.stringify(record),
          });
        }
      }
      const deletions = [...existing.keys()].filter(id => !incoming.has(id));

      for (const batch of chunks(upserts)) {
        await tx('gitops_observations')
          .insert(batch)
          .onConflict(['target_id', 'record_id'])
          .merge(['hash', 'data']);
        writes += batch.length;
      }
      for (const batch of chunks(deletions)) {
        writes += await tx('gitops_observations')
          .where({ target_id: targetId })
          .whereIn('record_id', batch)
          .delete();
      }

      const affected = [...upserts.map(u => u.record_id), ...deletions];
      // This target's observations just written are at hand: only other targets' are read back.
      const own = new Map(
        upserts.map(u => [
          u.record_id,
          { record: incoming.get(u.record_id)!.record, ...u },
        ]),
      );
      const merged = await this.remerge(tx, affected, merge, now, {
        targetId,
        observations: own,
      });
      // Bindings of changed records in the same transaction: a replica killed in between would
      // otherwise leave old bindings that nothing rewrites.
      const { countsChanged, ...result } = merged;
      let summaryChanged = countsChanged;
      if (bind && merged.changed.length) {
        const bindingWrites = await this.writeBindings(
          tx,
          new Map(merged.changed.map(r => [recordId(r), bind(r)])),
        );
        if (bindingWrites) summaryChanged = true;
      }
      if (summaryChanged) await moveSummaryVersion(tx);
      return { ...result, writes: writes + merged.writes };
    });
  }

  private async remerge(
    tx: Knex.Transaction,
    ids: string[],
    merge: MergeObservations,
    now: Date,
    own: {
      targetId: string;
      observations: Map<
        string,
        { record: GitOpsRecord; hash: string; data: string }
      >;
    },
  ): Promise<SnapshotResult & { countsChanged: boolean }> {
    const changed: GitOpsRecord[] = [];
    // Whether a record appeared, went, or changed a column the org-wide counts group or filter by
    // (most changes are times and messages: Argo CD's reconciledAt moves every few minutes).
    let countsChanged = false;
    const removed: string[] = [];
    const events: NewHistoryEvent[] = [];
    let writes = 0;
    for (const batch of chunks(ids)) {
      // Every observation of each record, ordered by target so the merge does not depend on the
      // order rows come back in.
      const observed = new Map<
        string,
        Array<{ targetId: string; record: GitOpsRecord }>
      >();
      const add = (id: string, targetId: string, record: GitOpsRecord) => {
        const list = observed.get(id);
        if (list) list.push({ targetId, record });
        else observed.set(id, [{ targetId, record }]);
      };
      for (const id of batch) {
        const mine = own.observations.get(id);
        if (mine) add(id, own.targetId, mine.record);
      }
      for (const row of await tx('gitops_observations')
        .whereIn('record_id', batch)
        .whereNot('target_id', own.targetId)
        .select('record_id', 'target_id', 'data')) {
        add(row.record_id, row.target_id, JSON.parse(row.data));
      }
      const observations = new Map<string, GitOpsRecord[]>();
      for (const [id, list] of observed) {
        if (list.length > 1)
          list.sort((a, b) => (a.targetId < b.targetId ? -1 : 1));
        observations.set(
          id,
          list.map(o => o.record),
        );
      }
      const current = new Map<string, StoredRecordRow>();
      for (const row of await tx('gitops_records')
        .whereIn('record_id', batch)
        .select('record_id', 'hash', 'data', ...COUNTED_COLUMNS)) {
        current.set(row.record_id, row);
      }
      const rows = [];
      for (const id of batch) {
        const obs = observations.get(id);
        const before = current.get(id);
        if (!obs) {
          if (before) {
            removed.push(id);
            const event = historyEventFor(
              JSON.parse(before.data),
              undefined,
              now.toISOString(),
            );
            if (event) events.push(event);
          }
          continue;
        }
        const record = merge(obs);
        // Reported by this target alone: its hash and JSON are the observation's.
        const mine = own.observations.get(id);
        const single = obs.length === 1 && mine && record === mine.record;
        const hash = single ? mine.hash : recordHash(record);
        if (before?.hash === hash) continue;
        changed.push(record);
        const row = toRow(id, record, hash, single ? mine.data : undefined);
        rows.push(row);
        if (!before || COUNTED_COLUMNS.some(c => before[c] !== row[c])) {
          countsChanged = true;
        }
        const event = historyEventFor(
          before && JSON.parse(before.data),
          record,
          now.toISOString(),
        );
        if (event) events.push(event);
      }
      if (rows.length) {
        await tx('gitops_records').insert(rows).onConflict('record_id').merge();
        writes += rows.length;
      }
    }
    if (removed.length) countsChanged = true;
    for (const batch of chunks(removed)) {
      writes += await tx('gitops_records').whereIn('record_id', batch).delete();
      await tx('gitops_entity_bindings').whereIn('record_id', batch).delete();
    }
    writes += await insertHistoryEvents(tx, events);
    return { changed, removed, writes, events: events.length, countsChanged };
  }

  /** Sets the entities each of these records is bound to (replacing earlier bindings). */
  async setBindings(bindings: Map<string, string[]>): Promise<number> {
    if (bindings.size === 0) return 0;
    return this.db.transaction(async tx => {
      const writes = await this.writeBindings(tx, bindings);
      if (writes) await moveSummaryVersion(tx);
      return writes;
    });
  }

  /**
   * A token that changes, committed with the change, whenever what the org-wide counts depend on
   * changes: a record appears or goes, its state, sync, health, compliance or commit changes, or
   * entity bindings or entities change. A reader keeps totals and facets until it moves.
   */
  async readSummaryVersion(): Promise<string> {
    const row = await this.db('gitops_summary_version')
      .where({ id: 1 })
      .first('version');
    return String(row?.version ?? 0);
  }

  private async writeBindings(
    tx: Knex.Transaction,
    bindings: Map<string, string[]>,
  ): Promise<number> {
    let writes = 0;
    const ids = [...bindings.keys()];
    const existing = new Map<string, Set<string>>();
    for (const batch of chunks(ids)) {
      for (const row of await tx('gitops_entity_bindings')
        .whereIn('record_id', batch)
        .select('record_id', 'entity_ref')) {
        const set = existing.get(row.record_id) ?? new Set();
        set.add(row.entity_ref);
        existing.set(row.record_id, set);
      }
    }
    const inserts: Array<{ entity_ref: string; record_id: string }> = [];
    for (const [id, refs] of bindings) {
      const before = existing.get(id) ?? new Set();
      const after = new Set(refs);
      for (const ref of after)
        if (!before.has(ref)) inserts.push({ entity_ref: ref, record_id: id });
      const gone = [...before].filter(ref => !after.has(ref));
      if (gone.length) {
        writes += await tx('gitops_entity_bindings')
          .where({ record_id: id })
          .whereIn('entity_ref', gone)
          .delete();
      }
    }
    for (const batch of chunks(inserts)) {
      await tx('gitops_entity_bindings').insert(batch).onConflict().ignore();
      writes += batch.length;
    }
    await rememberHistoryBindings(tx, inserts);
    return writes;
  }

  /**
   * The records bound to any of these entities, each once, with the entities it is bound to (among
   * those asked for) and the source targets that report it.
   */
  async listEntityRecords(
    entityRefs: string[],
  ): Promise<
    Array<{ record: GitOpsRecord; entityRefs: string[]; targets: string[] }>
  > {
    return (await this.listEntityRecordRows(entityRefs)).map(row => ({
      record: JSON.parse(row.data) as GitOpsRecord,
      entityRefs: row.entityRefs,
      targets: row.targets,
    }));
  }

  /**
   * The records bound to these entities as stored: the record's JSON unparsed, with the columns a
   * page view needs, the entities (of those asked) each is bound to and the targets that observe
   * it; sorted by cluster, tool, kind, namespace, name. One query per 400 entities.
   */
  async listEntityRecordRows(entityRefs: string[]): Promise<EntityRecordRow[]> {
    const byId = new Map<string, EntityRecordRow>();
    for (const batch of chunks(entityRefs)) {
      const rows = await this.db('gitops_entity_bindings as b')
        .join('gitops_records as r', 'r.record_id', 'b.record_id')
        .leftJoin('gitops_observations as o', 'o.record_id', 'r.record_id')
        .whereIn('b.entity_ref', batch)
        .select(
          'r.record_id',
          'r.cluster',
          'r.tool',
          'r.kind',
          'r.namespace',
          'r.name',
          'r.state',
          'r.last_reconciled_at',
          'r.data',
          'b.entity_ref',
          'o.target_id',
        );
      for (const row of rows) {
        let entry = byId.get(row.record_id);
        if (!entry) {
          entry = {
            id: row.record_id,
            cluster: row.cluster,
            tool: row.tool,
            kind: row.kind,
            namespace: row.namespace,
            name: row.name,
            state: row.state,
            lastReconciledAt: row.last_reconciled_at ?? undefined,
            data: row.data,
            entityRefs: [],
            targets: [],
          };
          byId.set(row.record_id, entry);
        }
        // One row per (entity, target) pair of the record.
        if (!entry.entityRefs.includes(row.entity_ref))
          entry.entityRefs.push(row.entity_ref);
        if (row.target_id && !entry.targets.includes(row.target_id))
          entry.targets.push(row.target_id);
      }
    }
    const identity = (r: EntityRecordRow) => [
      r.cluster,
      r.tool,
      r.kind,
      r.namespace,
      r.name,
    ];
    return [...byId.values()]
      .map(r => ({
        ...r,
        entityRefs: r.entityRefs.sort(),
        targets: r.targets.sort(),
      }))
      .sort((x, y) => compareTuples(identity(x), identity(y)));
  }

  /**
   * Every current record, parsed, in one read. Nothing on a running backend calls it any more (the
   * rebind and the alert reader page through `listRecordHashes` / `listRecordsById`); it is the
   * whole-store read that tests and the alert reader's reference (`listBoundRecords`) compare with.
   */
  async listRecords(): Promise<GitOpsRecord[]> {
    const rows = await this.db('gitops_records').select('data');
    return rows.map(row => JSON.parse(row.data));
  }

  /**
   * Every record's id and content hash, without the record: enough to tell which records changed
   * since a reader last saw them.
   */
  async listRecordHashes(): Promise<Array<{ id: string; hash: string }>> {
    return this.db('gitops_records').select({
      id: 'record_id',
      hash: 'hash',
    });
  }

  /** These records (those that still exist), each with its content hash; in no order. */
  async listRecordsById(
    ids: string[],
  ): Promise<Array<{ id: string; hash: string; record: GitOpsRecord }>> {
    const out: Array<{ id: string; hash: string; record: GitOpsRecord }> = [];
    for (const batch of chunks(ids)) {
      for (const row of await this.db('gitops_records')
        .whereIn('record_id', batch)
        .select('record_id', 'hash', 'data')) {
        out.push({
          id: row.record_id,
          hash: row.hash,
          record: JSON.parse(row.data),
        });
      }
    }
    return out;
  }

  /**
   * The annotated entities (those `replaceEntities` keeps) each of these records is bound to,
   * sorted; records bound to none are left out.
   */
  async listRecordBindings(ids: string[]): Promise<Map<string, string[]>> {
    const bound = new Map<string, string[]>();
    for (const batch of chunks(ids)) {
      for (const row of await this.db('gitops_entity_bindings as b')
        .join('gitops_entities as e', 'e.entity_ref', 'b.entity_ref')
        .whereIn('b.record_id', batch)
        .select('b.record_id', 'b.entity_ref')) {
        const list = bound.get(row.record_id);
        if (list) list.push(row.entity_ref);
        else bound.set(row.record_id, [row.entity_ref]);
      }
    }
    for (const refs of bound.values()) refs.sort();
    return bound;
  }

  /**
   * Every record's identity, and the Argo CD instance of each Application, read from the columns
   * and (for Applications only) extracted from the JSON by the database: nothing parsed here.
   */
  async listRecordIdentities(): Promise<
    Array<
      Pick<
        GitOpsRecord,
        'tool' | 'cluster' | 'namespace' | 'kind' | 'name' | 'instance'
      >
    >
  > {
    // SQLite and PostgreSQL are the engines the plugin supports (`data` is text in both).
    const instance =
      this.db.client.dialect === 'postgresql'
        ? `(data::json ->> 'instance')`
        : `json_extract(data, '$.instance')`;
    const rows = await this.db('gitops_records').select(
      'tool',
      'cluster',
      'namespace',
      'kind',
      'name',
      this.db.raw(
        `case when tool = 'argocd' and kind = 'Application' then ${instance} end as instance`,
      ),
    );
    return rows.map(row => {
      const identity: Pick<
        GitOpsRecord,
        'tool' | 'cluster' | 'namespace' | 'kind' | 'name' | 'instance'
      > = {
        tool: row.tool,
        cluster: row.cluster,
        namespace: row.namespace,
        kind: row.kind,
        name: row.name,
      };
      if (typeof row.instance === 'string') identity.instance = row.instance;
      return identity;
    });
  }

  async countRecordsByCluster(): Promise<Map<string, number>> {
    const rows: Array<{ cluster: string; n: number | string }> = await this.db(
      'gitops_records',
    )
      .select('cluster')
      .count({ n: '*' })
      .groupBy('cluster');
    return new Map(rows.map(r => [r.cluster, Number(r.n)]));
  }

  /** Replaces the catalog facts (owner, system) of the entities that have GitOps annotations. */
  async replaceEntities(
    entities: Array<{ entityRef: string; owner?: string; system?: string }>,
  ): Promise<number> {
    return this.db.transaction(async tx => {
      const existing = new Map<string, string>();
      for (const row of await tx('gitops_entities').select(
        'entity_ref',
        'owner',
        'system',
      )) {
        existing.set(row.entity_ref, `${row.owner ?? ''}|${row.system ?? ''}`);
      }
      const wanted = new Map(entities.map(e => [e.entityRef, e]));
      const gone = [...existing.keys()].filter(ref => !wanted.has(ref));
      const upserts = entities
        .filter(
          e =>
            existing.get(e.entityRef) !== `${e.owner ?? ''}|${e.system ?? ''}`,
        )
        .map(e => ({
          entity_ref: e.entityRef,
          owner: e.owner ?? null,
          system: e.system ?? null,
        }));
      for (const batch of chunks(gone)) {
        await tx('gitops_entities').whereIn('entity_ref', batch).delete();
      }
      for (const batch of chunks(upserts)) {
        await tx('gitops_entities')
          .insert(batch)
          .onConflict('entity_ref')
          .merge();
      }
      if (gone.length || upserts.length) await moveSummaryVersion(tx);
      return gone.length + upserts.length;
    });
  }

  /** Every entity that has GitOps annotations (for permission checks of the deployments view). */
  async listEntityRefs(): Promise<string[]> {
    return (await this.db('gitops_entities').select('entity_ref')).map(
      r => r.entity_ref,
    );
  }

  /** One page of the deployments view, without the total (see `countDeployments`). */
  listDeploymentRows(query: DeploymentsQuery) {
    return listDeploymentRows(this.db, query);
  }

  countDeployments(
    query: Pick<DeploymentsQuery, 'filter' | 'allowedEntityRefs'>,
  ) {
    return countDeployments(this.db, query);
  }

  facetDeployments(
    query: Pick<DeploymentsQuery, 'filter' | 'allowedEntityRefs'>,
    facets: readonly DeploymentFacet[],
  ) {
    return facetDeployments(this.db, query, facets);
  }

  /** Rows under the whole filter per cluster × state and tool × state (the deployments state chart). */
  countDeploymentStates(
    query: Pick<DeploymentsQuery, 'filter' | 'allowedEntityRefs'>,
  ) {
    return countDeploymentStates(this.db, query);
  }

  traceCommit(prefix: string, allowedEntityRefs?: string[]) {
    return traceCommit(this.db, prefix, allowedEntityRefs);
  }

  /** A page of the history of the objects ever bound to these entities, newest first. */
  listHistory(query: HistoryQuery) {
    return listHistoryEvents(this.db, query);
  }

  /** The most recent events deployments are read from (see `deploymentsFromEvents`). */
  listDeploymentEvents(entityRefs: string[], limit = 5000) {
    return listDeploymentEvents(this.db, entityRefs, limit);
  }

  /** Deletes history older than `before`; returns the events deleted. */
  pruneHistory(before: Date) {
    return pruneHistory(this.db, before);
  }

  async setSourceHealth(health: SourceHealth): Promise<void> {
    await this.db('gitops_source_health')
      .insert({
        id: health.id,
        type: health.type,
        target: health.target,
        status: health.status,
        message: health.message ?? null,
        last_success_at: health.lastSuccessAt ?? null,
        last_attempt_at: health.lastAttemptAt ?? null,
        skipped_kinds: health.skippedKinds
          ? JSON.stringify(health.skippedKinds)
          : null,
      })
      .onConflict('id')
      .merge();
  }

  async getSourceHealth(id: string): Promise<SourceHealth | undefined> {
    const row = await this.db('gitops_source_health').where({ id }).first();
    return row ? fromHealthRow(row) : undefined;
  }

  async listSourceHealth(): Promise<SourceHealth[]> {
    const rows = await this.db('gitops_source_health').orderBy('id');
    return rows.map(fromHealthRow);
  }
}

/**
 * Moves the summary version inside a writing transaction, as its last statement: on PostgreSQL the
 * row stays locked until commit, so writers queue only for that moment and a reader sees the new
 * version together with the data it stands for.
 */
async function moveSummaryVersion(tx: Knex.Transaction): Promise<void> {
  await tx('gitops_summary_version')
    .where({ id: 1 })
    .update({ version: tx.raw('version + 1') });
}

function compareTuples(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

function toRow(id: string, r: GitOpsRecord, hash: string, data?: string) {
  return {
    record_id: id,
    tool: r.tool,
    cluster: r.cluster,
    namespace: r.namespace,
    kind: r.kind,
    name: r.name,
    state: r.state,
    sync: r.sync,
    health: r.health,
    compliance: r.compliance,
    commit: r.revision.commit ?? null,
    attempted: r.revision.attempted?.slice(0, 512) ?? null,
    repo_url: r.revision.repoUrl?.slice(0, 1024) ?? null,
    last_reconciled_at: r.lastReconciledAt ?? null,
    observed_at: r.observedAt,
    hash,
    data: data ?? JSON.stringify(r),
  };
}

function fromHealthRow(row: any): SourceHealth {
  return {
    id: row.id,
    type: row.type,
    target: row.target,
    status: row.status,
    message: row.message ?? undefined,
    lastSuccessAt: row.last_success_at ?? undefined,
    lastAttemptAt: row.last_attempt_at ?? undefined,
    skippedKinds: row.skipped_kinds ? JSON.parse(row.skipped_kinds) : undefined,
  };
}
