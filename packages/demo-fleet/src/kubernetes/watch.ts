import { IncomingMessage, ServerResponse } from 'node:http';
import { FaultController } from '../faults';
import { k8sStatus, sendJson } from '../http';
import { ResourceType } from './resources';
import { LabelSelector, FieldSelector } from './selectors';
import { ClusterStore, StoredObject, WatchEvent, jsonAs } from './store';

export interface WatchRequest {
  store: ClusterStore;
  resource: ResourceType;
  apiVersion: string;
  namespace?: string;
  labels: LabelSelector;
  fields: FieldSelector;
  resourceVersion?: string;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds?: number;
  bookmarkMs: number;
  faults: FaultController;
}

/** Kube API server default: watches end after --min-request-timeout (1800 s). */
const DEFAULT_WATCH_TIMEOUT_S = 1800;

export function expiredStatus(requested: number | string, oldest: number) {
  return k8sStatus(
    410,
    'Expired',
    `too old resource version: ${requested} (${oldest + 1})`,
  );
}

/**
 * Streams watch events as newline-delimited JSON, like the API server's
 * watch endpoint with Transfer-Encoding: chunked.
 */
export function serveWatch(
  req: IncomingMessage,
  res: ServerResponse,
  w: WatchRequest,
): void {
  const { store, resource } = w;
  const target = store.cluster.name;
  const matches = (s: StoredObject) =>
    s.resource === resource.key &&
    (w.namespace === undefined || s.namespace === w.namespace) &&
    w.labels(s.labels) &&
    w.fields(s);

  let initial: StoredObject[] = [];
  let backlog: WatchEvent[] = [];
  const rvParam = w.resourceVersion;
  if (
    rvParam === undefined ||
    rvParam === '' ||
    rvParam === '0' ||
    w.sendInitialEvents
  ) {
    // No resourceVersion: start with the current state as ADDED events.
    initial = store.list(resource.key).filter(matches);
  } else {
    const rv = Number(rvParam);
    if (!Number.isInteger(rv) || rv < 0) {
      sendJson(
        res,
        400,
        k8sStatus(400, 'BadRequest', `invalid resource version: ${rvParam}`),
      );
      return;
    }
    const events = w.faults.take(target, 'expire')
      ? 'expired'
      : store.eventsSince(rv);
    if (events === 'expired') {
      sendJson(res, 410, expiredStatus(rv, store.oldestWatchableRv));
      return;
    }
    backlog = events.filter(e => matches(e.stored));
  }

  res.writeHead(200, {
    'content-type': 'application/json',
    'cache-control': 'no-cache, private',
    'transfer-encoding': 'chunked',
  });
  res.flushHeaders();

  let ended = false;
  const closeAfterFirst = () => w.faults.get(target)?.type === 'watch-close';
  const write = (type: string, objectJson: string) => {
    if (ended) return;
    res.write(`{"type":"${type}","object":${objectJson}}\n`);
    if (closeAfterFirst()) end();
  };
  const bookmark = (annotations?: Record<string, string>) =>
    write(
      'BOOKMARK',
      JSON.stringify({
        kind: resource.kind,
        apiVersion: w.apiVersion,
        metadata: {
          resourceVersion: String(store.resourceVersion),
          ...(annotations ? { annotations } : {}),
        },
      }),
    );

  const unsubscribe = store.subscribe(event => {
    if (matches(event.stored))
      write(event.type, jsonAs(event.stored, w.apiVersion));
  });
  const bookmarkTimer = w.allowBookmarks
    ? setInterval(() => bookmark(), w.bookmarkMs)
    : undefined;
  const timeoutTimer = setTimeout(
    end,
    (w.timeoutSeconds ?? DEFAULT_WATCH_TIMEOUT_S) * 1000,
  );
  const unregister = w.faults.registerWatch(target, {
    destroy: () => {
      cleanup();
      req.socket.destroy();
    },
    close: end,
    expire: () => {
      write(
        'ERROR',
        JSON.stringify(
          expiredStatus(
            rvParam ?? store.resourceVersion,
            store.resourceVersion,
          ),
        ),
      );
      end();
    },
  });

  function cleanup() {
    if (ended) return;
    ended = true;
    unsubscribe();
    unregister();
    if (bookmarkTimer) clearInterval(bookmarkTimer);
    clearTimeout(timeoutTimer);
  }
  function end() {
    if (ended) return;
    cleanup();
    res.end();
  }
  res.on('close', cleanup);

  for (const s of initial) write('ADDED', jsonAs(s, w.apiVersion));
  if (w.sendInitialEvents && w.allowBookmarks)
    bookmark({ 'k8s.io/initial-events-end': 'true' });
  for (const e of backlog) write(e.type, jsonAs(e.stored, w.apiVersion));
}
