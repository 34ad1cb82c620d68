import { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './http';
import { SelectorError, parseLabelSelector } from './kubernetes/selectors';
import { ClusterStore, StoredObject } from './kubernetes/store';
import { ARGOCD_NAMESPACE } from './scenario/argocd';

/*
 * The Argo CD API server (GET /api/v1/applications and friends) of the
 * instance running on the Argo CD cluster. It reads the same store as that
 * cluster's argoproj.io API, so both always agree.
 */

export const ARGOCD_VERSION = {
  Version: 'v2.13.3+a25c8a0',
  BuildDate: '2025-01-03T17:51:39Z',
  GoVersion: 'go1.22.9',
  Platform: 'linux/amd64',
};

/** Argo CD errors are gRPC-gateway errors: {error, code (gRPC code), message}. */
export function argoError(
  res: ServerResponse,
  status: number,
  grpcCode: number,
  message: string,
) {
  sendJson(res, status, { error: message, code: grpcCode, message });
}

/** Argo CD returns Applications without apiVersion/kind. */
function argoJson(s: StoredObject): string {
  let json = s.alt.get('argocd');
  if (json === undefined) {
    const { apiVersion: _a, kind: _k, ...rest } = s.object;
    json = JSON.stringify(rest);
    s.alt.set('argocd', json);
  }
  return json;
}

type FieldTree = { [key: string]: FieldTree | true };

function fieldTree(fields: string[]): FieldTree {
  const tree: FieldTree = {};
  for (const field of fields) {
    let node = tree;
    const path = field.split('.').filter(Boolean);
    path.forEach((key, i) => {
      if (i === path.length - 1) node[key] = true;
      else {
        const next = node[key];
        if (next === true) return;
        node[key] = next ?? {};
        node = node[key] as FieldTree;
      }
    });
  }
  return tree;
}

/** Keeps only the selected paths (`fields=items.metadata.name,...`); arrays are traversed. */
function pick(value: unknown, tree: FieldTree | true): unknown {
  if (tree === true || value === null || typeof value !== 'object')
    return value;
  if (Array.isArray(value)) return value.map(v => pick(v, tree));
  const out: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(tree)) {
    if (key in (value as object))
      out[key] = pick((value as Record<string, unknown>)[key], sub);
  }
  return out;
}

function repoUrls(s: StoredObject): string[] {
  const spec = s.object.spec ?? {};
  return [
    spec.source?.repoURL,
    ...(spec.sources ?? []).map((x: any) => x.repoURL),
  ].filter(Boolean);
}

export function handleArgoCd(
  req: IncomingMessage,
  res: ServerResponse,
  store: ClusterStore,
  path: string,
  query: URLSearchParams,
): void {
  // POST …/applications/<name>/sync starts a sync: answered with the Application, as Argo CD
  // does; the simulated controller has nothing to change (the scenario drives the state).
  const sync = /^\/api\/v1\/applications\/([^/]+)\/sync$/.exec(path);
  if (sync && req.method === 'POST') {
    req.resume();
    const name = decodeURIComponent(sync[1]);
    const appNamespace = query.get('appNamespace');
    const stored =
      !appNamespace || appNamespace === ARGOCD_NAMESPACE
        ? store.get('argoproj.io/applications', ARGOCD_NAMESPACE, name)
        : undefined;
    if (!stored) {
      argoError(res, 404, 5, `applications.argoproj.io "${name}" not found`);
      return;
    }
    sendJson(res, 200, argoJson(stored));
    return;
  }
  if (req.method !== 'GET') {
    argoError(res, 405, 12, 'Method Not Allowed');
    return;
  }
  if (path === '/api/version') {
    sendJson(res, 200, ARGOCD_VERSION);
    return;
  }

  const appNamespace = query.get('appNamespace');
  const single = /^\/api\/v1\/applications\/([^/]+)$/.exec(path);
  if (single) {
    const name = decodeURIComponent(single[1]);
    const stored =
      !appNamespace || appNamespace === ARGOCD_NAMESPACE
        ? store.get('argoproj.io/applications', ARGOCD_NAMESPACE, name)
        : undefined;
    if (!stored) {
      argoError(res, 404, 5, `applications.argoproj.io "${name}" not found`);
      return;
    }
    sendJson(res, 200, argoJson(stored));
    return;
  }
  if (path !== '/api/v1/applications') {
    argoError(res, 404, 5, 'Not Found');
    return;
  }

  let labels;
  try {
    labels = parseLabelSelector(query.get('selector'));
  } catch (e) {
    if (e instanceof SelectorError) {
      argoError(res, 400, 3, e.message);
      return;
    }
    throw e;
  }
  const projects = [...query.getAll('projects'), ...query.getAll('project')]
    .flatMap(p => p.split(','))
    .filter(Boolean);
  const name = query.get('name');
  const repo = query.get('repo');
  const items = store
    .list('argoproj.io/applications')
    .filter(
      s =>
        (!appNamespace || s.namespace === appNamespace) &&
        (!name || s.name === name) &&
        (projects.length === 0 || projects.includes(s.object.spec?.project)) &&
        (!repo || repoUrls(s).includes(repo)) &&
        labels(s.labels),
    );
  const resourceVersion = String(store.resourceVersion);

  const fields = query.get('fields');
  if (fields) {
    const full = {
      metadata: { resourceVersion },
      items: items.length ? items.map(s => JSON.parse(argoJson(s))) : null,
    };
    sendJson(res, 200, pick(full, fieldTree(fields.split(','))));
    return;
  }
  // Real Argo CD serialises an empty list as items: null.
  const itemsJson = items.length
    ? `[${items.map(argoJson).join(',')}]`
    : 'null';
  sendJson(
    res,
    200,
    `{"metadata":{"resourceVersion":"${resourceVersion}"},"items":${itemsJson}}`,
  );
}
