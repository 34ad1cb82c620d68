import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  GitOpsRecord,
  SourceHealth,
} from '@gitops-status/plugin-gitops-common';
import type { AlertRulesConfig } from './config';
import type { AlertStore } from '../store/AlertStore';
import type { AlertInputs } from './alertInputs';
import { evaluateAlerts, type EvaluateAlertsInput } from './rules';
import type { AlertTransition } from './types';

/** Old transition events are deleted at most this often. */
const PRUNE_INTERVAL_MS = 60 * 60_000;

interface AlertEvaluatorCommonOptions {
  store: AlertStore;
  listSourceHealth: () => Promise<SourceHealth[]>;
  config: AlertRulesConfig;
  /** The Argo CD instance a cluster's Kubernetes API serves Applications of (ArgoAppMissing). */
  argocdInstanceOf?: (cluster: string) => string | undefined;
  now?: () => Date;
  logger?: LoggerService;
}

/** Where the records come from: all of them, or only those that matter (an AlertInputReader). */
export type AlertEvaluatorOptions = AlertEvaluatorCommonOptions &
  (
    | {
        /** Every current record, with `entityRefs` set to the entities it is bound to when known. */
        listRecords: () => Promise<GitOpsRecord[]>;
        readInputs?: never;
      }
    | {
        /** The records that may raise an alert and the Argo CD Application counts of all. */
        readInputs: () => Promise<AlertInputs>;
        listRecords?: never;
      }
  );

/**
 * Reads records and source health, runs the rules against the stored alert states and persists
 * the result. Returns the transitions this evaluator recorded (for notifications): when several
 * evaluators share the database, each transition is returned by exactly one of them.
 */
export class AlertEvaluator {
  private running?: Promise<AlertTransition[]>;
  private lastPruneMs?: number;

  constructor(private readonly options: AlertEvaluatorOptions) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** One evaluation. Calls made while one runs share its result instead of running again. */
  evaluate(): Promise<AlertTransition[]> {
    if (!this.running) {
      this.running = this.run().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  private async readInputs(): Promise<
    Pick<EvaluateAlertsInput, 'records' | 'argoApplicationsByInstance'>
  > {
    if (this.options.readInputs) return this.options.readInputs();
    return { records: await this.options.listRecords() };
  }

  private async run(): Promise<AlertTransition[]> {
    const { store, config, logger } = this.options;
    const [previous, inputs, sourceHealth] = await Promise.all([
      store.load(),
      this.readInputs(),
      this.options.listSourceHealth(),
    ]);
    const now = this.now();
    const { next, transitions } = evaluateAlerts({
      ...inputs,
      sourceHealth,
      previous,
      now,
      config,
      argocdInstanceOf: this.options.argocdInstanceOf,
    });
    const applied = await store.apply(next, transitions, previous);
    for (const t of applied.transitions) {
      logger?.info(`alert ${t.transition}: ${t.rule} ${t.summary}`, {
        alert: t.alertId,
        severity: t.severity,
      });
    }
    const nowMs = now.getTime();
    if (
      this.lastPruneMs === undefined ||
      nowMs - this.lastPruneMs >= PRUNE_INTERVAL_MS
    ) {
      this.lastPruneMs = nowMs;
      await store.pruneEvents(new Date(nowMs - config.eventRetentionMs));
    }
    return applied.transitions;
  }
}
