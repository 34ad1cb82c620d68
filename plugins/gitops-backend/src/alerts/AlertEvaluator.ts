import type { LoggerService } from '@backstage/backend-plugin-api';
import type { SourceHealth } from '@gitops-status/plugin-gitops-common';
import type { AlertRulesConfig } from './config';
import type { AlertStore } from '../store/AlertStore';
import { evaluateAlerts, type EvaluateAlertsInput } from './rules';
import type { AlertTransition } from './types';

/** Old transition events are deleted at most this often. */
const PRUNE_INTERVAL_MS = 60 * 60_000;

export interface AlertEvaluatorOptions {
  store: AlertStore;
  /**
   * At least the records that may raise an alert (with `entityRefs` set), and the Argo CD
   * Application counts of all when not every record is given (an AlertInputReader's `read`).
   */
  readInputs: () => Promise<
    Pick<EvaluateAlertsInput, 'records' | 'argoApplicationsByInstance'>
  >;
  listSourceHealth: () => Promise<SourceHealth[]>;
  config: AlertRulesConfig;
  /** The Argo CD instance a cluster's Kubernetes API serves Applications of (ArgoAppMissing). */
  argocdInstanceOf?: (cluster: string) => string | undefined;
  now?: () => Date;
  logger?: LoggerService;
}

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

  private async run(): Promise<AlertTransition[]> {
    const { store, config, logger } = this.options;
    const [previous, inputs, sourceHealth] = await Promise.all([
      store.load(),
      this.options.readInputs(),
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
