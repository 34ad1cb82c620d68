import type {
  GitOpsRecord,
  SourceType,
} from '@gitops-status/plugin-gitops-common';

/**
 * What one collection run of a source reports for one target (a cluster, an Argo CD instance…).
 * @public
 */
export interface SourceTargetResult {
  /** Stable id of the target, e.g. `kubernetes:prod-eu`. */
  id: string;
  /** The configured cluster or instance name. */
  target: string;
  /** Whether this target answered; on 'error' its previous records are kept and shown stale. */
  status: 'ok' | 'error';
  /** What went wrong (or a note on success), naming the target and the call. Never a credential. */
  message?: string;
  /** Kinds the target does not serve (e.g. a CRD that is not installed). */
  skippedKinds?: string[];
  /**
   * The complete set of records this target currently reports, or undefined when the target failed:
   * its previous records are then kept (marked stale), never dropped.
   */
  records?: GitOpsRecord[];
}

/**
 * Receives results while a source runs, so watch-based sources can apply changes as they arrive.
 * @public
 */
export interface SourceSink {
  /** Replace everything this target reports with a new complete snapshot (or record a failure). */
  report(result: SourceTargetResult): Promise<void>;
}

/**
 * A GitOps status source: talks to one kind of upstream and reports normalized records.
 * @public
 */
export interface GitOpsSource {
  /** Unique per source instance, e.g. `kubernetes`. */
  readonly id: string;
  /** The kind of source, listed in each record's `sources`; decides merge precedence. */
  readonly type: SourceType;
  /**
   * One collection session. Polling sources report once and return; watching sources may keep
   * reporting until `signal` aborts, and must return promptly after it does.
   */
  collect(options: { sink: SourceSink; signal: AbortSignal }): Promise<void>;
}
