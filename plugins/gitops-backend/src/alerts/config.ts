import type { Config } from '@backstage/config';
import { readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { readCollectionConfig } from '../config/collection';
import { readHistoryConfig } from '../history/config';
import {
  ALERT_RULE_NAMES,
  ALERT_SEVERITIES,
  type AlertRuleName,
  type AlertSeverity,
} from './types';

export interface AlertRuleConfig {
  enabled: boolean;
  /** How long the condition must hold before the alert fires. */
  forMs: number;
  /** How long a firing alert's condition must stay false before it resolves. */
  resolveAfterMs: number;
  severity: AlertSeverity;
}

export interface AlertRulesConfig {
  /** `gitops.alerts.enabled`: false = no evaluator at all (the wiring checks it). */
  enabled: boolean;
  rules: Record<AlertRuleName, AlertRuleConfig>;
  /** SourceStale: failed collection cycles before it fires (`rules.SourceStale.cycles`). */
  staleCycles: number;
  /** Length of one collection cycle: a session, or the schedule's frequency when longer. */
  cycleMs: number;
  /** Resolved alerts are kept this long for history, then deleted (their events stay). */
  resolvedRetentionMs: number;
  /** Transition events older than this are deleted. */
  eventRetentionMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const rule = (
  forMs: number,
  severity: AlertSeverity = 'warning',
  resolveAfterMs = 10 * MINUTE,
): AlertRuleConfig => ({ enabled: true, forMs, resolveAfterMs, severity });

/** The defaults for a 60 s collection cycle (10 s frequency, 60 s sessions). */
export function defaultAlertRulesConfig(
  cycleMs = 60_000,
  staleCycles = 3,
): AlertRulesConfig {
  return {
    enabled: true,
    rules: {
      KustomizationNotReady: rule(5 * MINUTE),
      HelmReleaseNotReady: rule(5 * MINUTE),
      GitRepositoryNotReady: rule(5 * MINUTE),
      OCIRepositoryNotReady: rule(5 * MINUTE),
      BucketNotReady: rule(5 * MINUTE),
      HelmRepositoryNotReady: rule(5 * MINUTE),
      ArgoAppNotSynced: rule(12 * HOUR),
      ArgoAppDegraded: rule(5 * MINUTE),
      ArgoAppMissing: rule(15 * MINUTE, 'critical'),
      FluxConfigNonCompliant: rule(5 * MINUTE),
      FluxExtensionProvisioningFailed: rule(5 * MINUTE),
      SourceStale: rule(staleCycles * cycleMs),
    },
    staleCycles,
    cycleMs,
    resolvedRetentionMs: 7 * DAY,
    eventRetentionMs: 90 * DAY,
  };
}

function duration(config: Config, key: string): number | undefined {
  return config.has(key)
    ? durationToMilliseconds(readDurationFromConfig(config, { key }))
    : undefined;
}

/**
 * `gitops.alerts`: `enabled`, `resolvedRetention`, `eventRetention` and per rule
 * `rules.<name>.{enabled, for, resolveAfter, severity}` (SourceStale also `cycles`). Durations are
 * HumanDuration objects, ISO 8601 strings (`PT5M`) or ms-style strings (`5m`). Unknown rule names
 * and severities are errors, so a typo does not silently keep the default.
 */
export function readAlertRulesConfig(config: Config): AlertRulesConfig {
  const collection = readCollectionConfig(config);
  const cycleMs = Math.max(collection.frequencyMs, collection.sessionMs);
  const staleCycles =
    config.getOptionalNumber('gitops.alerts.rules.SourceStale.cycles') ?? 3;
  if (!Number.isInteger(staleCycles) || staleCycles < 1) {
    throw new Error(
      `gitops.alerts.rules.SourceStale.cycles must be a positive integer, got ${staleCycles}`,
    );
  }
  const defaults = defaultAlertRulesConfig(cycleMs, staleCycles);
  const result: AlertRulesConfig = {
    ...defaults,
    enabled: config.getOptionalBoolean('gitops.alerts.enabled') ?? true,
    resolvedRetentionMs:
      duration(config, 'gitops.alerts.resolvedRetention') ??
      defaults.resolvedRetentionMs,
    // Alert history is history: kept as long as the rest unless set apart.
    eventRetentionMs:
      duration(config, 'gitops.alerts.eventRetention') ??
      readHistoryConfig(config).retentionMs,
  };
  const configured = config.getOptionalConfig('gitops.alerts.rules');
  for (const name of configured?.keys() ?? []) {
    if (!(ALERT_RULE_NAMES as readonly string[]).includes(name)) {
      throw new Error(
        `gitops.alerts.rules.${name}: unknown rule; known rules are ${ALERT_RULE_NAMES.join(
          ', ',
        )}`,
      );
    }
  }
  for (const name of ALERT_RULE_NAMES) {
    const key = `gitops.alerts.rules.${name}`;
    const base = defaults.rules[name];
    const severity =
      config.getOptionalString(`${key}.severity`) ?? base.severity;
    if (!(ALERT_SEVERITIES as readonly string[]).includes(severity)) {
      throw new Error(
        `${key}.severity must be one of ${ALERT_SEVERITIES.join(
          ', ',
        )}, got ${severity}`,
      );
    }
    result.rules[name] = {
      enabled: config.getOptionalBoolean(`${key}.enabled`) ?? base.enabled,
      forMs: duration(config, `${key}.for`) ?? base.forMs,
      resolveAfterMs:
        duration(config, `${key}.resolveAfter`) ?? base.resolveAfterMs,
      severity: severity as AlertSeverity,
    };
  }
  return result;
}
