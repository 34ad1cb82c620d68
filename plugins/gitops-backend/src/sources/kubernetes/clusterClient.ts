import {
  ApiException,
  CustomObjectsApi,
  KubeConfig,
  Observable,
  Watch,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import type { ClusterConfig } from '../../config/clusters';
import type { CollectedKind } from './kinds';

/** An upstream failure, carrying what it was about (`cluster prod-eu: GET kustomizations: 401 …`). */
export class ClusterError extends Error {
  constructor(message: string, readonly statusCode?: number) {
    super(message);
    this.name = 'ClusterError';
  }
}

export interface ListResult {
  version: string;
  resourceVersion: string;
  items: unknown[];
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: any;
}

function kubeConfigFor(cluster: ClusterConfig): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: cluster.name,
        server: cluster.url!,
        caData: cluster.caData,
        caFile: cluster.caFile,
        skipTLSVerify: cluster.skipTLSVerify,
      },
    ],
    users: [
      cluster.authProvider === 'serviceAccount' && cluster.serviceAccountToken
        ? { name: 'gitops', token: cluster.serviceAccountToken }
        : { name: 'gitops' },
    ],
    contexts: [{ name: cluster.name, cluster: cluster.name, user: 'gitops' }],
    currentContext: cluster.name,
  });
  return kc;
}

function describeError(e: unknown): { message: string; code?: number } {
  if (e instanceof ApiException) {
    const reason =
      (typeof e.body === 'object' && e.body && (e.body as any).message) ||
      (typeof e.body === 'string' && e.body.length < 200 ? e.body : '');
    return { message: `${e.code}${reason ? ` ${reason}` : ''}`, code: e.code };
  }
  const err = e as Error & {
    code?: string;
    statusCode?: number;
    type?: string;
  };
  if (
    err?.name === 'AbortError' ||
    err?.name === 'TimeoutError' ||
    err?.type === 'aborted'
  ) {
    return { message: 'timed out' };
  }
  if (err instanceof SyntaxError)
    return { message: `invalid response: ${err.message}` };
  return { message: err?.message ?? String(e), code: err?.statusCode };
}

/**
 * Talks to one cluster's API server through @kubernetes/client-node: paged LIST with a timeout
 * per call, and WATCH streams. Errors name the cluster, the verb and the resource.
 */
export class ClusterClient {
  private readonly kc: KubeConfig;
  private readonly api: CustomObjectsApi;

  constructor(
    readonly cluster: ClusterConfig,
    private readonly options: { requestTimeoutMs: number; pageSize: number },
  ) {
    this.kc = kubeConfigFor(cluster);
    this.api = this.kc.makeApiClient(CustomObjectsApi);
  }

  private fail(verb: string, kind: CollectedKind, e: unknown): ClusterError {
    const { message, code } = describeError(e);
    return new ClusterError(
      `cluster ${this.cluster.name}: ${verb} ${kind.plural}.${kind.group}: ${message}`,
      code,
    );
  }

  /** Lists every object of a kind, trying API versions newest first; undefined when none is served (404). */
  async list(
    kind: CollectedKind,
    signal: AbortSignal,
  ): Promise<ListResult | undefined> {
    for (const version of kind.versions) {
      try {
        return await this.listVersion(kind, version, signal);
      } catch (e) {
        if (e instanceof ClusterError && e.statusCode === 404) continue;
        throw e;
      }
    }
    return undefined;
  }

  private async listVersion(
    kind: CollectedKind,
    version: string,
    signal: AbortSignal,
  ): Promise<ListResult> {
    const items: unknown[] = [];
    let cont: string | undefined;
    let resourceVersion = '';
    do {
      const timeout = AbortSignal.any([
        signal,
        AbortSignal.timeout(this.options.requestTimeoutMs),
      ]);
      let page: any;
      try {
        page = await this.api.listClusterCustomObject(
          {
            group: kind.group,
            version,
            plural: kind.plural,
            limit: this.options.pageSize,
            _continue: cont,
          },
          {
            // The object-parameter API takes observable-style middleware (the library's own stub).
            middleware: [
              {
                pre: (ctx: RequestContext) => {
                  ctx.setSignal(timeout as any);
                  return new Observable(Promise.resolve(ctx));
                },
                post: (ctx: ResponseContext) =>
                  new Observable(Promise.resolve(ctx)),
              },
            ],
            middlewareMergeStrategy: 'append',
          },
        );
      } catch (e) {
        throw this.fail('list', kind, e);
      }
      if (
        !page ||
        typeof page !== 'object' ||
        (page.items !== null &&
          page.items !== undefined &&
          !Array.isArray(page.items))
      ) {
        throw new ClusterError(
          `cluster ${this.cluster.name}: list ${kind.plural}.${kind.group}: response is not a list`,
        );
      }
      items.push(...(page.items ?? []));
      resourceVersion = String(page.metadata?.resourceVersion ?? '');
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return { version, resourceVersion, items };
  }

  /**
   * Opens a watch from a resourceVersion. Resolves once the stream is open (or fails within the
   * request timeout); `onDone` is called once when it ends, with the error if any.
   */
  async watch(
    kind: CollectedKind,
    version: string,
    resourceVersion: string,
    onEvent: (event: WatchEvent) => void,
    onDone: (err?: ClusterError) => void,
  ): Promise<{ stop(): void }> {
    const watch = new Watch(this.kc);
    const path = `/apis/${kind.group}/${version}/${kind.plural}`;
    let settled = false;
    let stopped = false;
    const opening = watch.watch(
      path,
      { resourceVersion, allowWatchBookmarks: true },
      (type, object) => onEvent({ type: type as WatchEvent['type'], object }),
      err => {
        settled = true;
        // An abort we asked for is a clean end, not a cluster error.
        onDone(err && !stopped ? this.fail('watch', kind, err) : undefined);
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ClusterError(
              `cluster ${this.cluster.name}: watch ${kind.plural}.${kind.group}: timed out`,
            ),
          ),
        this.options.requestTimeoutMs,
      );
    });
    try {
      const controller = await Promise.race([opening, timedOut]);
      return {
        stop: () => {
          stopped = true;
          if (!settled) controller.abort();
        },
      };
    } catch (e) {
      // A stream that opens after we gave up is closed at once rather than leaked.
      opening.then(c => c.abort()).catch(() => undefined);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }
}
