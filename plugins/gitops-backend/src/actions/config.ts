import type { Config } from '@backstage/config';

export interface ActionsConfig {
  /** `gitops.actions.enabled`; default false: a read-only plugin unless a platform team opts in. */
  enabled: boolean;
  /** Actions one user may ask for per minute (all objects). Default 10. */
  perUserPerMinute: number;
  /** Minimum time between two actions on one object, whoever asks. Default 10 s. */
  perObjectIntervalMs: number;
}

export function readActionsConfig(config: Config): ActionsConfig {
  const perUserPerMinute =
    config.getOptionalNumber('gitops.actions.rateLimit.perUserPerMinute') ?? 10;
  const perObjectSeconds =
    config.getOptionalNumber('gitops.actions.rateLimit.perObjectSeconds') ?? 10;
  if (!Number.isInteger(perUserPerMinute) || perUserPerMinute < 1) {
    throw new Error(
      `gitops.actions.rateLimit.perUserPerMinute must be a positive integer, got ${perUserPerMinute}`,
    );
  }
  if (!(perObjectSeconds >= 0)) {
    throw new Error(
      `gitops.actions.rateLimit.perObjectSeconds must be 0 or more, got ${perObjectSeconds}`,
    );
  }
  return {
    enabled: config.getOptionalBoolean('gitops.actions.enabled') ?? false,
    perUserPerMinute,
    perObjectIntervalMs: perObjectSeconds * 1000,
  };
}
