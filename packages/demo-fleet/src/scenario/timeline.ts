import { createHash } from 'node:crypto';

/*
 * Timing of the rollout scenario. All times are elapsed scenario ms.
 *
 *   commit n (n >= 1) lands on main at  pushAt(n) = (n - 1) * P + P/2
 *   cluster i starts working on it at   clusterStart(n, i) = pushAt(n) + i * step,  step = P / N
 *   and spends R ms on it:              [0, 0.2R) source fetch, [0.2R, 0.6R) stage 0
 *                                       (infrastructure, payments-db), [0.6R, R) stage 1 (everything else)
 *
 * Commit 0 is what every cluster runs when the scenario starts.
 */

export const INITIAL_SETTLED_AT = -5 * 60_000;
export const CREATED_AT = -30 * 24 * 3600_000;

export const FLEET_REPO = 'https://github.com/example-org/fleet-infra';
export const APPS_REPO = 'https://github.com/example-org/apps';
export const BRANCH = 'main';

const shaCache = new Map<string, string>();
function sha1(input: string): string {
  let sha = shaCache.get(input);
  if (!sha) {
    sha = createHash('sha1').update(input).digest('hex');
    shaCache.set(input, sha);
  }
  return sha;
}

export function sha256(input: string): string {
  return createHash('sha256').update(input).digest('hex');
}

/** Commit n of example-org/fleet-infra (Flux). */
export const fleetSha = (n: number) => sha1(`fleet-infra#${n}`);
/** Commit n of example-org/apps (Argo CD). */
export const appsSha = (n: number) => sha1(`apps#${n}`);
/** Flux >= 2.0 revision format. */
export const fluxRevision = (n: number) => `${BRANCH}@sha1:${fleetSha(n)}`;

/** Modulo that stays positive for the negative commit numbers of pre-history. */
export const mod = (n: number, m: number) => ((n % m) + m) % m;

export interface Window {
  from: number;
  to: number;
}

export class Timeline {
  readonly half: number;
  readonly step: number;
  /** Time a cluster spends reconciling one commit. */
  readonly reconcile: number;
  readonly sourceWindow: Window;
  readonly stage0: Window;
  readonly stage1: Window;
  /** Whole R: Argo CD syncs take the full reconcile time. */
  readonly argoWindow: Window;
  /** A failed HelmRelease stalls (RetriesExceeded) this long after failing. */
  readonly stallAfter: number;
  /** Drift of checkout on the third cluster, relative to clusterStart. */
  readonly driftAt: number;
  readonly healAt: number;

  constructor(readonly period: number, readonly clusterCount: number) {
    if (!(period >= 8))
      throw new Error(`rolloutPeriodMs must be >= 8, got ${period}`);
    this.half = Math.floor(period / 2);
    this.step = Math.floor(period / clusterCount);
    // Capped at P/8 so the drift/heal windows below always fit in one period.
    this.reconcile = Math.max(
      1,
      Math.min(Math.floor(this.step / 2), Math.floor(period / 8), 10_000),
    );
    const r = this.reconcile;
    this.sourceWindow = { from: 0, to: Math.floor(r * 0.2) };
    this.stage0 = { from: Math.floor(r * 0.2), to: Math.floor(r * 0.6) };
    this.stage1 = { from: Math.floor(r * 0.6), to: r };
    this.argoWindow = { from: 0, to: r };
    this.stallAfter = Math.floor(period / 3);
    this.driftAt = r + Math.floor(period / 4);
    this.healAt = r + Math.floor(period / 2);
  }

  pushAt(n: number): number {
    return (n - 1) * this.period + this.half;
  }

  clusterStart(n: number, clusterIndex: number): number {
    return this.pushAt(n) + clusterIndex * this.step;
  }

  /** Latest commit on main at time t. */
  latestCommit(t: number): number {
    return this.commitOnCluster(0, t);
  }

  /** Newest commit cluster i has started working on at time t. */
  commitOnCluster(clusterIndex: number, t: number): number {
    const x = t - this.half - clusterIndex * this.step;
    return x < 0 ? 0 : Math.floor(x / this.period) + 1;
  }

  /**
   * Where a reconciler working in `window` of each commit stands at time t
   * on cluster i: the commit whose result it shows, whether it is still
   * running, and since when (elapsed ms).
   */
  progress(clusterIndex: number, t: number, window: Window): Progress {
    const c = this.commitOnCluster(clusterIndex, t);
    if (c === 0)
      return {
        commit: 0,
        running: false,
        since: INITIAL_SETTLED_AT,
        startedAt: INITIAL_SETTLED_AT,
      };
    const s = this.clusterStart(c, clusterIndex);
    if (t >= s + window.to)
      return {
        commit: c,
        running: false,
        since: s + window.to,
        startedAt: s + window.from,
      };
    if (t >= s + window.from)
      return {
        commit: c,
        running: true,
        since: s + window.from,
        startedAt: s + window.from,
      };
    const prev = c - 1;
    if (prev === 0)
      return {
        commit: 0,
        running: false,
        since: INITIAL_SETTLED_AT,
        startedAt: INITIAL_SETTLED_AT,
      };
    const ps = this.clusterStart(prev, clusterIndex);
    return {
      commit: prev,
      running: false,
      since: ps + window.to,
      startedAt: ps + window.from,
    };
  }
}

export interface Progress {
  /** Commit being worked on (running) or whose result is shown (settled). */
  commit: number;
  running: boolean;
  /** When the current phase began. */
  since: number;
  /** When work on `commit` began. */
  startedAt: number;
}
