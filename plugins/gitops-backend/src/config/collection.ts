import type { Config } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { readDurationFromConfig } from '@backstage/config';

export interface CollectionConfig {
  frequencyMs: number;
  sessionMs: number;
  requestTimeoutMs: number;
  concurrency: number;
}

function duration(config: Config, key: string, fallbackMs: number): number {
  return config.has(key)
    ? durationToMilliseconds(readDurationFromConfig(config, { key }))
    : fallbackMs;
}

export function readCollectionConfig(config: Config): CollectionConfig {
  return {
    frequencyMs: duration(config, 'gitops.collection.frequency', 10_000),
    sessionMs: duration(config, 'gitops.collection.sessionDuration', 60_000),
    requestTimeoutMs: duration(
      config,
      'gitops.collection.requestTimeout',
      10_000,
    ),
    concurrency: config.getOptionalNumber('gitops.collection.concurrency') ?? 8,
  };
}
