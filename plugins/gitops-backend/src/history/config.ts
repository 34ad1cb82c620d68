import type { Config } from '@backstage/config';
import { readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';

const DAY = 24 * 60 * 60_000;

export interface HistoryConfig {
  /** Events older than this are deleted by the retention task. */
  retentionMs: number;
}

/** `gitops.history.retention` (a duration; default 90 days). */
export function readHistoryConfig(config: Config): HistoryConfig {
  const key = 'gitops.history.retention';
  if (!config.has(key)) return { retentionMs: 90 * DAY };
  const retentionMs = durationToMilliseconds(
    readDurationFromConfig(config, { key }),
  );
  if (!(retentionMs > 0)) {
    throw new Error(`${key} must be a positive duration`);
  }
  return { retentionMs };
}
