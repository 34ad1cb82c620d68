import type { LoggerService } from '@backstage/backend-plugin-api';
import type { GitOpsRecord } from '@gitops-status/plugin-gitops-common';
import type {
  GitOpsSource,
  SourceSink,
} from '@gitops-status/plugin-gitops-node';
import type { ClusterConfig, ClusterDirectory } from '../../config/clusters';
import {
  linkSources,
  normalizeObject,
  sourceRefOf,
  type RecordWithSource,
} from '../../normalize';
import { ClusterClient, ClusterError, type WatchEvent } from './clusterClient';
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
}

interface KindState {
  kind: CollectedKind;
  version?: string;
  resourceVersion?: string;
  /** Raw objects by namespace/name. */
  objects: Map<string, unknown>;
  skipped: boolean;
}

const key = (o: any) =>
  `${o?.metadata?.namespace ?? ''}/${o?.metadata?.name ?? ''}`;

/** Waits for `ms` or until the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
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
 */
export class KubernetesSource implements GitOpsSource {
  readonly id = 'kubernetes';
  readonly type = 'kubernetes' as const;

  constructor(private readonly options: KubernetesSourceOptions) {}

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

  /** One cluster's session: list every kind, report, then follow watches until the signal aborts. */
  async collectCluster(
    cluster: ClusterConfig,
    sink: SourceSink,
    signal: AbortSignal,
    limit: <T>(fn: () => Promise<T>) => Promise<T> = fn => fn(),
  ): Promise<void> {
    const { logger } = this.options;
    const client = new ClusterClient(cluster, {
      requestTimeoutMs: this.options.requestTimeoutMs,
      pageSize: this.options.pageSize ?? 500,
    });
    const id = `kubernetes:${cluster.name}`;
    const kinds: KindState[] = COLLECTED_KINDS.map(kind => ({
      kind,
      objects: new Map(),
      skipped: false,
    }));

    const snapshot = (): GitOpsRecord[] => {
      const observedAt = this.now();
      const entries: RecordWithSource[] = [];
      for (const state of kinds) {
        for (const raw of state.objects.values()) {
          const result = normalizeObject(raw, {
            cluster: cluster.name,
            source: 'kubernetes',
            observedAt,
            resolveDestination: d =>
              this.options.clusters.resolveDestination(d, cluster.name),
            argocdInstance:
              state.kind.kind === 'Application'
                ? cluster.argocdInstance ?? cluster.name
                : undefined,
            // List items may omit apiVersion/kind; the list we read them from says what they are.
            typeHint: {
              apiVersion: `${state.kind.group}/${state.version}`,
              kind: state.kind.kind,
            },
          });
          if (result.ok)
            entries.push({
              record: result.record,
              sourceRef: sourceRefOf(raw),
            });
          else logger.debug(`${id}: skipped an object: ${result.error}`);
        }
      }
      return linkSources(entries);
    };

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
              records: snapshot(),
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
              const listed = await client.list(state.kind, signal);
              state.skipped = !listed;
              state.objects = new Map(
                (listed?.items ?? []).map(o => [key(o), o]),
              );
              state.version = listed?.version;
              state.resourceVersion = listed?.resourceVersion;
            } catch (e) {
              failures.push((e as Error).message);
            }
          }),
        );
        return failures.length ? failures.join('; ') : undefined;
      });

    // Initial list, retried with backoff until it works or the session ends.
    let backoff = 1000;
    for (;;) {
      if (signal.aborted) return;
      const failure = await listAll();
      if (signal.aborted) return;
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

  /** Follows one kind's watch until the session ends; re-lists on 410 Gone, backs off on errors. */
  private async followKind(
    client: ClusterClient,
    state: KindState,
    signal: AbortSignal,
    changed: () => void,
    failed: (message: string) => Promise<void>,
  ): Promise<void> {
    const backoff = { ms: 1000 };
    while (!signal.aborted) {
      const openedAt = Date.now();
      const ended = await new Promise<ClusterError | 'gone' | undefined>(
        resolve => {
          let stream: { stop(): void } | undefined;
          const onAbort = () => stream?.stop();
          signal.addEventListener('abort', onAbort, { once: true });
          const finish = (v: ClusterError | 'gone' | undefined) => {
            signal.removeEventListener('abort', onAbort);
            resolve(v);
          };
          const onEvent = (event: WatchEvent) => {
            const o = event.object;
            if (event.type === 'ERROR') {
              if (o?.code === 410) {
                // Resolve first: stopping the stream makes the client report an abort.
                finish('gone');
                stream?.stop();
              }
              return;
            }
            if (o?.metadata?.resourceVersion)
              state.resourceVersion = String(o.metadata.resourceVersion);
            if (event.type === 'BOOKMARK') return;
            if (event.type === 'DELETED') state.objects.delete(key(o));
            else state.objects.set(key(o), o);
            backoff.ms = 1000;
            changed();
          };
          client
            .watch(
              state.kind,
              state.version!,
              state.resourceVersion ?? '',
              onEvent,
              err => finish(err?.statusCode === 410 ? 'gone' : err),
            )
            .then(s => {
              stream = s;
              if (signal.aborted) s.stop();
            })
            .catch(e => finish(e as ClusterError));
        },
      );
      if (signal.aborted) return;
      if (ended === 'gone' || ended) {
        // 410: our resourceVersion expired; any other error: we may have missed events. Re-list.
        if (ended !== 'gone') {
          await failed(ended.message);
          await sleep(backoff.ms + Math.random() * backoff.ms * 0.2, signal);
          backoff.ms = Math.min(backoff.ms * 2, 60_000);
          if (signal.aborted) return;
        }
        try {
          const listed = await client.list(state.kind, signal);
          state.objects = new Map((listed?.items ?? []).map(o => [key(o), o]));
          state.resourceVersion = listed?.resourceVersion;
          changed();
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
