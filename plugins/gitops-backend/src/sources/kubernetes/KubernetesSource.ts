import type { LoggerService } from '@backstage/backend-plugin-api';
import type { GitOpsRecord } from '@gitops-status/plugin-gitops-common';
import type {
  GitOpsSource,
  SourceSink,
} from '@gitops-status/plugin-gitops-node';
import {
  CircuitBreakers,
  CircuitOpenError,
  circuitOpenMessage,
  sleep,
} from '../resilience';
import type { ClusterConfig, ClusterDirectory } from '../../config/clusters';
import { freezeRecord } from '../../merge/identity';
import {
  linkSources,
  normalizeObject,
  sourceRefOf,
  type RecordWithSource,
} from '../../normalize';
import {
  ClusterClient,
  ClusterError,
  type ListPage,
  type WatchEvent,
} from './clusterClient';
import { COLLECTED_KINDS, type CollectedKind } from './kinds';

export interface KubernetesSourceOptions {
  clusters: ClusterDirectory;
  logger: LoggerService;
  requestTimeoutMs: number;
  concurrency: number;
  pageSize?: number;
  /** Coalesces bursts of watch events into one store write. */
  reportDebounceMs?: number;
  now?: () => Date;
  /** One circuit per cluster (`kubernetes:<name>`). */
  breakers?: CircuitBreakers;
}

/**
 * What is kept of one object: its record as normalized at this uid + resourceVersion. The raw
 * object is not kept; an object whose resourceVersion did not change is not normalized again.
 */
interface ObservedObject {
  uid: string;
  resourceVersion: string;
  /** Absent when the object could not be normalized (logged once per resourceVersion). */
  entry?: RecordWithSource;
}

interface KindState {
  kind: CollectedKind;
  /** The API version served, from the last successful list. */
  version?: string;
  resourceVersion?: string;
  /** By namespace/name. */
  objects: Map<string, ObservedObject>;
  skipped: boolean;
}

/** Kept per cluster across sessions: the client (its connections) and the last known objects. */
interface ClusterState {
  client: ClusterClient;
  kinds: KindState[];
  /** Each record as last linked to its Flux source, by the unlinked record. */
  linked: WeakMap<GitOpsRecord, GitOpsRecord>;
}

const key = (o: any) =>
  `${o?.metadata?.namespace ?? ''}/${o?.metadata?.name ?? ''}`;

/**
 * Stops `stream.current` when `signal` aborts, until the returned function is called. Apart from
 * the watch code on purpose: the listener reaches only the holder, never a kind's objects.
 */
function stopOnAbort(
  signal: AbortSignal,
  stream: { current?: { stop(): void } },
): () => void {
  const stop = () => stream.current?.stop();
  signal.addEventListener('abort', stop, { once: true });
  return () => signal.removeEventListener('abort', stop);
}

/** A tiny counting semaphore: bounds how many clusters list at once. */
function limiter(max: number) {
  let active = 0;
  const queue: Array<() => void> = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= max) await new Promise<void>(r => queue.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

/**
 * Collects Flux, Argo CD Application and Azure FluxConfig objects from every configured cluster:
 * LIST (paged) then WATCH per kind, re-listing on 410 Gone, for one bounded session.
 *
 * Between sessions it keeps, per cluster, one client (one keep-alive agent: connections and TLS
 * sessions are reused) and the normalized record of every object by uid + resourceVersion, so a
 * session's list and every watch event normalize only objects that changed, and the records of
 * unchanged objects are the same (frozen) objects report after report, hashed once.
 */
export class KubernetesSource implements GitOpsSource {
  readonly id = 'kubernetes';
  readonly type = 'kubernetes' as const;
  private readonly states = new Map<string, ClusterState>();
  private readonly breakers: CircuitBreakers;

  constructor(private readonly options: KubernetesSourceOptions) {
    this.breakers = options.breakers ?? new CircuitBreakers();
  }

  async collect({
    sink,
    signal,
  }: {
    sink: SourceSink;
    signal: AbortSignal;
  }): Promise<void> {
    const limit = limiter(this.options.concurrency);
    const clusters = this.options.clusters.clusters.filter(
      c => c.collect && c.url,
    );
    await Promise.all(
      clusters.map(c => this.collectCluster(c, sink, signal, limit)),
    );
  }

  private now(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }

  private stateOf(cluster: ClusterConfig): ClusterState {
    let state = this.states.get(cluster.name);
    if (!state || state.client.cluster !== cluster) {
      state?.client.close();
      state = {
        client: new ClusterClient(cluster, {
          requestTimeoutMs: this.options.requestTimeoutMs,
          pageSize: this.options.pageSize ?? 500,
        }),
        kinds: COLLECTED_KINDS.map(kind => ({
          kind,
          objects: new Map(),
          skipped: false,
        })),
        linked: new WeakMap(),
      };
      this.states.set(cluster.name, state);
    }
    return state;
  }

  /**
   * The kept object for `raw`: the previous one when uid and resourceVersion are unchanged, else
   * `raw` normalized now.
   */
  private observe(
    cluster: ClusterConfig,
    kind: CollectedKind,
    version: string,
    raw: any,
    previous: Map<string, ObservedObject>,
    observedAt: string,
  ): ObservedObject {
    const uid = String(raw?.metadata?.uid ?? '');
    const resourceVersion = String(raw?.metadata?.resourceVersion ?? '');
    const before = previous.get(key(raw));
    if (
      before &&
      resourceVersion &&
      before.resourceVersion === resourceVersion &&
      before.uid === uid
    ) {
      return before;
    }
    const result = normalizeObject(raw, {
      cluster: cluster.name,
      source: 'kubernetes',
      observedAt,
      resolveDestination: d =>
        this.options.clusters.resolveDestination(d, cluster.name),
      argocdInstance:
        kind.kind === 'Application'
          ? cluster.argocdInstance ?? cluster.name
          : undefined,
      // List items may omit apiVersion/kind; the list we read them from says what they are.
      typeHint: { apiVersion: `${kind.group}/${version}`, kind: kind.kind },
    });
    if (!result.ok) {
      this.options.logger.debug(
        `kubernetes:${cluster.name}: skipped an object: ${result.error}`,
      );
      return { uid, resourceVersion };
    }
    return {
      uid,
      resourceVersion,
      entry: {
        record: freezeRecord(result.record),
        sourceRef: sourceRefOf(raw),
      },
    };
  }

  /**
   * Lists one kind into a new object map, reusing what is kept of unchanged objects. Returns false
   * when the cluster serves no version of the kind (404). Throws, leaving the state as it was.
   */
  private async relist(
    cluster: ClusterConfig,
    client: ClusterClient,
    state: KindState,
    signal: AbortSignal,
  ): Promise<boolean> {
    const observedAt = this.now();
    const objects = new Map<string, ObservedObject>();
    const onPage = (page: ListPage) => {
      // Another served version means another typeHint: nothing kept is reused.
      const previous =
        page.version === state.version ? state.objects : new Map();
      for (const raw of page.items) {
        objects.set(
          key(raw),
          this.observe(
            cluster,
            state.kind,
            page.version,
            raw,
            previous,
            observedAt,
          ),
        );
      }
    };
    const listed = await client.list(state.kind, signal, onPage);
    state.skipped = !listed;
    state.objects = listed ? objects : new Map();
    state.version = listed?.version;
    state.resourceVersion = listed?.resourceVersion;
    return Boolean(listed);
  }

  /** Every record of the cluster, linked to their sources, reusing records that did not change. */
  private snapshot(cs: ClusterState): GitOpsRecord[] {
    const entries: RecordWithSource[] = [];
    for (const state of cs.kinds) {
      if (state.skipped) continue;
      for (const o of state.objects.values())
        if (o.entry) entries.push(o.entry);
    }
    return linkSources(entries).map((record, i) => {
      const plain = entries[i].record;
      if (record === plain) return record;
      // A linked record depends only on the unlinked one and the repository URL copied over.
      const before = cs.linked.get(plain);
      if (before && before.revision.repoUrl === record.revision.repoUrl)
        return before;
      cs.linked.set(plain, freezeRecord(record));
      return record;
    });
  }

  /**
   * One cluster's session: list every kind, report, then follow watches until the signal aborts.
   * Idle connections are closed when it ends (the next session resumes their TLS sessions).
   */
  async collectCluster(
    cluster: ClusterConfig,
    sink: SourceSink,
    signal: AbortSignal,
    limit: <T>(fn: () => Promise<T>) => Promise<T> = fn => fn(),
  ): Promise<void> {
    try {
      await this.collectClusterSession(cluster, sink, signal, limit);
    } finally {
      this.states.get(cluster.name)?.client.releaseIdleConnections();
    }
  }

  private async collectClusterSession(
    cluster: ClusterConfig,
    sink: SourceSink,
    signal: AbortSignal,
    limit: <T>(fn: () => Promise<T>) => Promise<T>,
  ): Promise<void> {
    const { logger } = this.options;
    const cs = this.stateOf(cluster);
    const { client, kinds } = cs;
    const id = `kubernetes:${cluster.name}`;

    const report = async (failure?: string) => {
      const skippedKinds = kinds.filter(k => k.skipped).map(k => k.kind.kind);
      await sink.report(
        failure
          ? {
              id,
              target: cluster.name,
              status: 'error',
              message: failure,
              skippedKinds,
            }
          : {
              id,
              target: cluster.name,
              status: 'ok',
              records: this.snapshot(cs),
              skippedKinds,
            },
      );
    };

    const listAll = async (): Promise<string | undefined> =>
      limit(async () => {
        const failures: string[] = [];
        await Promise.all(
          kinds.map(async state => {
            try {
              await this.relist(cluster, client, state, signal);
            } catch (e) {
              failures.push((e as Error).message);
            }
          }),
        );
        return failures.length ? failures.join('; ') : undefined;
      });

    // Initial list, retried with backoff until it works or the session ends; after consecutive
    // failures the cluster's circuit opens and it is skipped (reported at once) until a trial.
    const breaker = this.breakers.breakerFor(id);
    let backoff = 1000;
    for (;;) {
      if (signal.aborted) return;
      let failure: string | undefined;
      try {
        await breaker.execute(async () => {
          const f = await listAll();
          if (f) throw new Error(f);
        }, signal);
      } catch (e) {
        failure =
          e instanceof CircuitOpenError
            ? circuitOpenMessage(`cluster ${cluster.name}`, e)
            : (e as Error).message;
      }
      if (signal.aborted) {
        // The session ended before the cluster answered (a request timeout longer than the session,
        // or a very slow cluster): say so, or the cluster would look fine with old data.
        await report(
          `cluster ${
            cluster.name
          }: no complete list before the collection session ended${
            failure ? ` (${failure})` : ''
          }`,
        ).catch(() => undefined);
        return;
      }
      await report(failure);
      if (!failure) break;
      logger.warn(failure);
      await sleep(backoff + Math.random() * backoff * 0.2, signal);
      backoff = Math.min(backoff * 2, 60_000);
    }

    let pending: NodeJS.Timeout | undefined;
    const scheduleReport = () => {
      if (pending) return;
      pending = setTimeout(() => {
        pending = undefined;
        report().catch(e => logger.error(`${id}: report failed: ${e}`));
      }, this.options.reportDebounceMs ?? 250);
    };

    await Promise.all(
      kinds
        .filter(s => !s.skipped && s.version)
        .map(state =>
          this.followKind(
            cluster,
            client,
            state,
            signal,
            scheduleReport,
            async failure => {
              if (pending) clearTimeout(pending);
              pending = undefined;
              await report(failure);
            },
          ),
        ),
    );
    if (pending) {
      clearTimeout(pending);
      await report();
    }
  }

  /** Applies one watch event to the kind's objects; 'gone' for an ERROR 410. */
  private apply(
    cluster: ClusterConfig,
    state: KindState,
    event: WatchEvent,
  ): 'gone' | 'changed' | undefined {
    const o = event.object;
    if (event.type === 'ERROR') return o?.code === 410 ? 'gone' : undefined;
    if (o?.metadata?.resourceVersion)
      state.resourceVersion = String(o.metadata.resourceVersion);
    if (event.type === 'BOOKMARK') return undefined;
    if (event.type === 'DELETED') state.objects.delete(key(o));
    else
      state.objects.set(
        key(o),
        this.observe(
          cluster,
          state.kind,
          state.version!,
          o,
          state.objects,
          this.now(),
        ),
      );
    return 'changed';
  }

  /** Watches one kind until the stream ends: undefined for a clean end, 'gone' for 410. */
  private watchOnce(
    cluster: ClusterConfig,
    client: ClusterClient,
    state: KindState,
    signal: AbortSignal,
    changed: () => void,
    resetBackoff: () => void,
  ): Promise<ClusterError | 'gone' | undefined> {
    return new Promise(resolve => {
      const stream: { current?: { stop(): void } } = {};
      const unhook = stopOnAbort(signal, stream);
      let done = false;
      const finish = (v: ClusterError | 'gone' | undefined) => {
        if (done) return;
        done = true;
        unhook();
        resolve(v);
        // Stopping the stream after a 410 event ends it without a second answer.
        stream.current?.stop();
      };
      const onEvent = (event: WatchEvent) => {
        if (done) return;
        const outcome = this.apply(cluster, state, event);
        if (outcome === 'gone') finish('gone');
        else if (outcome === 'changed') {
          resetBackoff();
          changed();
        }
      };
      client
        .watch(
          state.kind,
          state.version!,
          state.resourceVersion ?? '',
          signal,
          onEvent,
          err => finish(err?.statusCode === 410 ? 'gone' : err),
        )
        .then(s => {
          stream.current = s;
          if (done || signal.aborted) s.stop();
        })
        .catch((e: ClusterError) => finish(e?.statusCode === 410 ? 'gone' : e));
    });
  }

  /** Follows one kind's watch until the session ends; re-lists on 410 Gone, backs off on errors. */
  private async followKind(
    cluster: ClusterConfig,
    client: ClusterClient,
    state: KindState,
    signal: AbortSignal,
    changed: () => void,
    failed: (message: string) => Promise<void>,
  ): Promise<void> {
    const backoff = { ms: 1000 };
    const resetBackoff = () => {
      backoff.ms = 1000;
    };
    while (!signal.aborted) {
      const openedAt = Date.now();
      const ended = await this.watchOnce(
        cluster,
        client,
        state,
        signal,
        changed,
        resetBackoff,
      );
      if (signal.aborted) return;
      if (ended) {
        // 410: our resourceVersion expired; any other error: we may have missed events. Re-list.
        if (ended !== 'gone') {
          await failed(ended.message);
          await sleep(backoff.ms + Math.random() * backoff.ms * 0.2, signal);
          backoff.ms = Math.min(backoff.ms * 2, 60_000);
          if (signal.aborted) return;
        }
        try {
          const served = await this.relist(cluster, client, state, signal);
          changed();
          // The kind's CRD went away: nothing left to watch until the next session.
          if (!served) return;
        } catch (e) {
          await failed((e as Error).message);
        }
      }
      // A clean close (server timeout) resumes from the last resourceVersion; one that closes at once
      // again and again (a misbehaving proxy) is slowed down.
      if (!ended && Date.now() - openedAt < 1000) {
        await sleep(backoff.ms, signal);
        backoff.ms = Math.min(backoff.ms * 2, 60_000);
      }
    }
  }
}
