/*
 * What the alert rules are evaluated over, read incrementally: every run reads each record's id and
 * content hash, parses only the records that are new or changed since the last run, and keeps
 * between runs no more than what decides the result — per record its hash, its Argo CD instance
 * (Applications, for ArgoAppMissing) and, for the few that may raise an alert, the record itself.
 */
import type { GitOpsRecord } from '@gitops-status/plugin-gitops-common';
import type { GitOpsStore } from '../store/GitOpsStore';
import { argoApplicationInstance, mayRaiseAlert } from './rules';

/** What `evaluateAlerts` needs of the records. */
export interface AlertInputs {
  /**
   * At least the records that may raise an alert (see `mayRaiseAlert`), with `entityRefs` set to
   * the annotated entities each is bound to.
   */
  records: GitOpsRecord[];
  /** Argo CD Applications per instance over every current record (ArgoAppMissing). */
  argoApplicationsByInstance: Map<string, number>;
}

export type AlertInputStore = Pick<
  GitOpsStore,
  'listRecordHashes' | 'listRecordsById' | 'listRecordBindings'
>;

/** Records parsed at once while catching up (the first run reads every record). */
const READ_BATCH = 500;

interface SeenRecord {
  hash: string;
  /** The record as last read, kept only when it may raise an alert. */
  candidate?: GitOpsRecord;
  /** Set for an Argo CD Application with an instance. */
  instance?: string;
}

/**
 * Reads {@link AlertInputs} from the store, parsing a record only when its hash changed. One
 * reader per evaluator; runs must not overlap (the evaluator shares a running evaluation).
 */
export class AlertInputReader {
  private readonly seen = new Map<string, SeenRecord>();

  constructor(private readonly store: AlertInputStore) {}

  async read(): Promise<AlertInputs> {
    const current = new Set<string>();
    const changed: string[] = [];
    for (const { id, hash } of await this.store.listRecordHashes()) {
      current.add(id);
      if (this.seen.get(id)?.hash !== hash) changed.push(id);
    }
    for (const id of this.seen.keys()) {
      if (!current.has(id)) this.seen.delete(id);
    }
    for (let i = 0; i < changed.length; i += READ_BATCH) {
      const batch = changed.slice(i, i + READ_BATCH);
      const found = new Set<string>();
      for (const { id, hash, record } of await this.store.listRecordsById(
        batch,
      )) {
        found.add(id);
        // The hash read with the data: a change after listRecordHashes is read again next run.
        this.seen.set(id, {
          hash,
          candidate: mayRaiseAlert(record) ? record : undefined,
          instance: argoApplicationInstance(record),
        });
      }
      // Deleted since the hashes were read.
      for (const id of batch) if (!found.has(id)) this.seen.delete(id);
    }

    const argoApplicationsByInstance = new Map<string, number>();
    const candidates: Array<[string, GitOpsRecord]> = [];
    for (const [id, seen] of this.seen) {
      if (seen.instance) {
        argoApplicationsByInstance.set(
          seen.instance,
          (argoApplicationsByInstance.get(seen.instance) ?? 0) + 1,
        );
      }
      if (seen.candidate) candidates.push([id, seen.candidate]);
    }
    // In id order, so findings (and transitions) come in the same order every run.
    candidates.sort(([a], [b]) => (a < b ? -1 : 1));
    const bindings = candidates.length
      ? await this.store.listRecordBindings(candidates.map(([id]) => id))
      : new Map<string, string[]>();
    return {
      records: candidates.map(([id, record]) => {
        const entityRefs = bindings.get(id);
        return entityRefs ? { ...record, entityRefs } : record;
      }),
      argoApplicationsByInstance,
    };
  }
}
