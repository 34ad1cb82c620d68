import * as http from 'node:http';
import * as https from 'node:https';
import { createSecureContext } from 'node:tls';
import {
  ApiException,
  CustomObjectsApi,
  KubeConfig,
  Observable,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import type { ClusterConfig } from '../../config/clusters';
import { kubeConfigFor } from '../../config/kubeConfig';
import type { CollectedKind } from './kinds';

/** An upstream failure, carrying what it was about (`cluster prod-eu: GET kustomizations: 401 …`). */
export class ClusterError extends Error {
  constructor(message: string, readonly statusCode?: number) {
    super(message);
    this.name = 'ClusterError';
  }
}

/** One page of a LIST: the items are handed over page by page, never kept here. */
export interface ListPage {
  version: string;
  items: unknown[];
}

export interface ListResult {
  version: string;
  resourceVersion: string;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: any;
}

/**
 * The one keep-alive agent every request to the cluster goes through. @kubernetes/client-node makes
 * a new agent (so a new TLS connection, and a new parse of the CA bundle) per request; the TLS
 * settings are still the ones it derives from the cluster config (CA, client certificate,
 * skipTLSVerify, tlsServerName).
 */
async function keepAliveAgent(kc: KubeConfig): Promise<http.Agent> {
  const tls: https.RequestOptions = {};
  // Throws, like client-node itself, for plain http without skipTLSVerify.
  await kc.applyToHTTPSOptions(tls);
  if (kc.getCurrentCluster()?.server.startsWith('http:'))
    return new http.Agent({ keepAlive: true });
  const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } =
    tls;
  return new https.Agent({
    keepAlive: true,
    // Parsed once for every connection; resumed TLS sessions are cached per agent.
    secureContext: createSecureContext({ ca, cert, key, pfx, passphrase }),
    rejectUnauthorized,
    servername,
  });
}

/**
 * An abort signal for one request: aborts after `ms` or when `session` aborts. `release()` unhooks
 * it from the long-lived session signal (no `AbortSignal.any`/`timeout`: Node keeps aborted
 * composite signals, and everything their abort reason's stack reaches, alive).
 */
function requestSignal(session: AbortSignal, ms: number) {
  const controller = new AbortController();
  const abort = () => controller.abort();
  const timer = setTimeout(abort, ms);
  session.addEventListener('abort', abort);
  if (session.aborted) abort();
  return {
    signal: controller.signal,
    release() {
      clearTimeout(timer);
      session.removeEventListener('abort', abort);
    },
  };
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

/** A kept-alive connection the server closed while idle: the request never reached it. */
function isStaleConnection(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return (
    err?.code === 'ECONNRESET' ||
    err?.code === 'EPIPE' ||
    /socket hang up/.test(String(err?.message))
  );
}

/** The message of a Kubernetes `Status` body, if the body is one. */
function statusMessage(body: string): string {
  try {
    const message = JSON.parse(body)?.message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON
  }
  return body.length < 200 ? body.trim() : '';
}

/**
 * Talks to one cluster's API server: paged LIST through @kubernetes/client-node with a timeout per
 * call, and WATCH streams, all over one keep-alive agent. Kept for the life of the source, so
 * connections and TLS sessions outlive a collection session. Errors name the cluster, the verb and
 * the resource.
 */
export class ClusterClient {
  private readonly kc: KubeConfig;
  private readonly api: CustomObjectsApi;
  private agentPromise?: Promise<http.Agent>;

  constructor(
    readonly cluster: ClusterConfig,
    private readonly options: { requestTimeoutMs: number; pageSize: number },
  ) {
    this.kc = kubeConfigFor(cluster);
    this.api = this.kc.makeApiClient(CustomObjectsApi);
  }

  private agent(): Promise<http.Agent> {
    this.agentPromise ??= keepAliveAgent(this.kc);
    return this.agentPromise;
  }

  /**
   * Closes the kept-alive connections no request is using; the agent stays, with its TLS
   * sessions, so the next session's connections resume them. Called when a collection session
   * ends: an idle keep-alive socket holds on to the first request made on it (Node's https agent
   * listens for the socket's TLS session in a closure that reaches the request) and, through the
   * fetch client-node uses, to that response's body — a LIST page of up to megabytes per socket.
   */
  releaseIdleConnections(): void {
    this.agentPromise
      ?.then(agent => {
        for (const sockets of Object.values(agent.freeSockets))
          for (const socket of sockets ?? []) socket.destroy();
      })
      .catch(() => undefined);
  }

  /** Closes idle connections (open watches end with their session). */
  close(): void {
    this.agentPromise?.then(a => a.destroy()).catch(() => undefined);
    this.agentPromise = undefined;
  }

  private fail(verb: string, kind: CollectedKind, e: unknown): ClusterError {
    const { message, code } = describeError(e);
    return new ClusterError(
      `cluster ${this.cluster.name}: ${verb} ${kind.plural}.${kind.group}: ${message}`,
      code,
    );
  }

  /**
   * Lists every object of a kind, trying API versions newest first, handing each page to `onPage`;
   * undefined when no version is served (404). Pages of a version that failed half-way may have
   * been handed over: the caller discards them when the list throws.
   */
  async list(
    kind: CollectedKind,
    signal: AbortSignal,
    onPage: (page: ListPage) => void,
  ): Promise<ListResult | undefined> {
    for (const version of kind.versions) {
      try {
        return await this.listVersion(kind, version, signal, onPage);
      } catch (e) {
        if (e instanceof ClusterError && e.statusCode === 404) continue;
        throw e;
      }
    }
    return undefined;
  }

  private async listPage(
    kind: CollectedKind,
    version: string,
    cont: string | undefined,
    session: AbortSignal,
  ): Promise<any> {
    const agent = await this.agent();
    for (let attempt = 0; ; attempt++) {
      const request = requestSignal(session, this.options.requestTimeoutMs);
      try {
        return await this.api.listClusterCustomObject(
          {
            group: kind.group,
            version,
            plural: kind.plural,
            limit: this.options.pageSize,
            _continue: cont,
          },
          {
            // The object-parameter API takes observable-style middleware (the library's own stub).
            // It runs after client-node applied authentication, so our agent replaces its own.
            middleware: [
              {
                pre: (ctx: RequestContext) => {
                  ctx.setAgent(agent);
                  ctx.setSignal(request.signal as any);
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
        // A GET is safe to send again once when a reused connection turned out to be closed.
        if (attempt === 0 && !session.aborted && isStaleConnection(e)) continue;
        throw this.fail('list', kind, e);
      } finally {
        request.release();
      }
    }
  }

  private async listVersion(
    kind: CollectedKind,
    version: string,
    signal: AbortSignal,
    onPage: (page: ListPage) => void,
  ): Promise<ListResult> {
    let cont: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.listPage(kind, version, cont, signal);
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
      onPage({ version, items: page.items ?? [] });
      resourceVersion = String(page.metadata?.resourceVersion ?? '');
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return { version, resourceVersion };
  }

  /**
   * Opens a watch from a resourceVersion. Resolves once the stream is open; rejects within the
   * request timeout, when `signal` aborts first, or with the status code of a refusal (such as 410).
   * `onDone` is called once when an open stream ends, with the error if any (none after `stop()`).
   *
   * The HTTP is done here over the cluster's keep-alive agent, with the credentials
   * @kubernetes/client-node derives from the config: its `Watch` makes a new agent and an
   * `AbortSignal.any` composite per watch.
   */
  async watch(
    kind: CollectedKind,
    version: string,
    resourceVersion: string,
    signal: AbortSignal,
    onEvent: (event: WatchEvent) => void,
    onDone: (err?: ClusterError) => void,
  ): Promise<{ stop(): void }> {
    const agent = await this.agent();
    const init = await this.kc.applyToFetchOptions({});
    const headers: Record<string, string> = {};
    (init.headers as any)?.forEach?.((value: string, name: string) => {
      headers[name] = value;
    });
    const url = new URL(
      `${this.kc.getCurrentCluster()!.server}/apis/${kind.group}/${version}/${
        kind.plural
      }`,
    );
    url.searchParams.set('watch', 'true');
    if (resourceVersion)
      url.searchParams.set('resourceVersion', resourceVersion);
    url.searchParams.set('allowWatchBookmarks', 'true');
    const fail = (e: unknown) => this.fail('watch', kind, e);
    const opening = requestSignal(signal, this.options.requestTimeoutMs);
    const req = (url.protocol === 'http:' ? http.request : https.request)(url, {
      agent,
      headers,
      method: 'GET',
      signal: opening.signal,
    });
    req.on('socket', socket => socket.setKeepAlive(true, 30_000));

    return new Promise((resolve, reject) => {
      let state: 'opening' | 'open' | 'ended' = 'opening';
      let stopped = false;
      const refuse = (e: unknown) => {
        opening.release();
        if (state !== 'opening') return;
        state = 'ended';
        req.destroy();
        reject(fail(e));
      };
      const end = (err: ClusterError | undefined, destroy: boolean) => {
        if (state !== 'open') return;
        state = 'ended';
        if (destroy) req.destroy();
        onDone(stopped ? undefined : err);
      };
      req.on('error', e => {
        if (state === 'opening') refuse(e);
        else end(fail(e), true);
      });
      req.on('response', res => {
        // Past the headers the stream lives until it ends or is stopped: no timeout, no signal.
        opening.release();
        res.setEncoding('utf8');
        if (res.statusCode !== 200) {
          let body = '';
          res.on('data', (chunk: string) => {
            if (body.length < 4096) body += chunk;
          });
          res.on('end', () => {
            const reason = statusMessage(body);
            refuse({
              message: `${res.statusCode}${reason ? ` ${reason}` : ''}`,
              statusCode: res.statusCode,
            });
          });
          res.on('error', refuse);
          return;
        }
        if (state !== 'opening') {
          req.destroy();
          return;
        }
        state = 'open';
        resolve({
          stop: () => {
            stopped = true;
            end(undefined, true);
          },
        });
        let buffered = '';
        res.on('data', (chunk: string) => {
          buffered += chunk;
          let newline = buffered.indexOf('\n');
          while (newline >= 0 && state === 'open') {
            const line = buffered.slice(0, newline);
            buffered = buffered.slice(newline + 1);
            newline = buffered.indexOf('\n');
            if (!line.trim()) continue;
            let event: WatchEvent;
            try {
              event = JSON.parse(line);
            } catch (e) {
              // We cannot tell which change this was: end, and let the caller re-list.
              end(fail(e), true);
              return;
            }
            onEvent(event);
          }
        });
        // A clean end (server-side timeout) leaves the connection to the agent for reuse.
        res.on('end', () => end(undefined, false));
        res.on('error', e => end(fail(e), true));
        res.on('close', () => {
          if (!res.complete) end(fail(new Error('connection closed')), true);
        });
      });
      req.end();
    });
  }
}
