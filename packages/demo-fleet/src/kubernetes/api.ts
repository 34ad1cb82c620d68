import { IncomingMessage, ServerResponse } from 'node:http';
import { FaultController } from '../faults';
import { k8sStatus, sendJson } from '../http';
import { ResourceType, findResource, groupsServedOn } from './resources';
import {
  SelectorError,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors';
import { ClusterStore, PatchError, jsonAs } from './store';
import { expiredStatus, serveWatch } from './watch';

export interface KubernetesApiOptions {
  bookmarkMs: number;
  faults: FaultController;
  serverAddress: string;
}

export const isWatch = (query: URLSearchParams) =>
  query.get('watch') === 'true' || query.get('watch') === '1';

const notFound = () =>
  k8sStatus(
    404,
    'NotFound',
    'the server could not find the requested resource',
  );

const VERSION_INFO = {
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.4',
  gitCommit: 'a78aa47129b8539636eb86a9d00e31b2720fe06b',
  gitTreeState: 'clean',
  buildDate: '2024-12-10T17:39:55Z',
  goVersion: 'go1.22.9',
  compiler: 'gc',
  platform: 'linux/amd64',
};

interface ContinueToken {
  rv: number;
  start: string;
}

const encodeContinue = (t: ContinueToken) =>
  Buffer.from(JSON.stringify(t)).toString('base64url');
function decodeContinue(token: string): ContinueToken | undefined {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return typeof t?.rv === 'number' && typeof t?.start === 'string'
      ? t
      : undefined;
  } catch {
    return undefined;
  }
}

function apiResourceList(groupVersion: string, resources: ResourceType[]) {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: resources.flatMap(r => [
      {
        name: r.plural,
        singularName: r.singular,
        namespaced: true,
        kind: r.kind,
        verbs: ['get', 'list', 'watch'],
        ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
        categories: r.group.endsWith('fluxcd.io') ? ['all'] : undefined,
      },
      {
        name: `${r.plural}/status`,
        singularName: '',
        namespaced: true,
        kind: r.kind,
        verbs: ['get'],
      },
    ]),
  };
}

function apiGroup(name: string, resources: ResourceType[]) {
  const versions = resources[0].versions.map(v => ({
    groupVersion: `${name}/${v}`,
    version: v,
  }));
  return { name, versions, preferredVersion: versions[0] };
}

/**
 * GET-only Kubernetes API for one cluster: discovery, list (selectors,
 * paging), get, and watch of the custom resources in resources.ts.
 */
export function handleKubernetes(
  req: IncomingMessage,
  res: ServerResponse,
  store: ClusterStore,
  path: string,
  query: URLSearchParams,
  options: KubernetesApiOptions,
): void {
  const cluster = store.cluster;
  if (req.method !== 'GET' && req.method !== 'PATCH') {
    sendJson(
      res,
      405,
      k8sStatus(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      ),
    );
    return;
  }
  const parts = path.split('/').filter(Boolean);

  // Discovery
  if (parts.length === 1 && parts[0] === 'version') {
    sendJson(res, 200, VERSION_INFO);
    return;
  }
  if (parts.length === 1 && parts[0] === 'api') {
    sendJson(res, 200, {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [
        { clientCIDR: '0.0.0.0/0', serverAddress: options.serverAddress },
      ],
    });
    return;
  }
  if (parts.length === 2 && parts[0] === 'api' && parts[1] === 'v1') {
    sendJson(res, 200, {
      kind: 'APIResourceList',
      groupVersion: 'v1',
      resources: [],
    });
    return;
  }
  if (parts[0] !== 'apis') {
    sendJson(res, 404, notFound());
    return;
  }
  const groups = groupsServedOn(cluster);
  if (parts.length === 1) {
    sendJson(res, 200, {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, rs]) => apiGroup(name, rs)),
    });
    return;
  }
  const [, group, version, ...rest] = parts;
  const served = groups.get(group);
  if (!served) {
    sendJson(res, 404, notFound());
    return;
  }
  if (parts.length === 2) {
    sendJson(res, 200, {
      kind: 'APIGroup',
      apiVersion: 'v1',
      ...apiGroup(group, served),
    });
    return;
  }
  if (!served[0].versions.includes(version)) {
    sendJson(res, 404, notFound());
    return;
  }
  if (rest.length === 0) {
    sendJson(res, 200, apiResourceList(`${group}/${version}`, served));
    return;
  }

  // /<plural> | /namespaces/<ns>/<plural> | /namespaces/<ns>/<plural>/<name>[/status]
  let namespace: string | undefined;
  let plural: string;
  let name: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && rest.length <= 5) {
    namespace = rest[1];
    plural = rest[2];
    name = rest[3];
    if (rest.length === 5 && rest[4] !== 'status') {
      sendJson(res, 404, notFound());
      return;
    }
  } else if (rest.length === 1) {
    plural = rest[0];
  } else {
    sendJson(res, 404, notFound());
    return;
  }
  const resource = findResource(group, version, plural);
  if (!resource || !resource.servedOn(cluster)) {
    sendJson(res, 404, notFound());
    return;
  }
  const apiVersion = `${group}/${version}`;

  if (req.method === 'PATCH') {
    if (name === undefined || rest.length === 5) {
      sendJson(
        res,
        405,
        k8sStatus(
          405,
          'MethodNotAllowed',
          'the server does not allow this method on the requested resource',
        ),
      );
      return;
    }
    patchObject(req, res, store, resource, namespace!, name, apiVersion);
    return;
  }

  if (name !== undefined) {
    const stored = store.get(resource.key, namespace!, name);
    if (!stored) {
      sendJson(
        res,
        404,
        k8sStatus(
          404,
          'NotFound',
          `${resource.plural}.${resource.group} "${name}" not found`,
          {
            name,
            group: resource.group,
            kind: resource.plural,
          },
        ),
      );
      return;
    }
    sendJson(res, 200, jsonAs(stored, apiVersion));
    return;
  }

  let labels;
  let fields;
  try {
    labels = parseLabelSelector(query.get('labelSelector'));
    fields = parseFieldSelector(query.get('fieldSelector'));
  } catch (e) {
    if (e instanceof SelectorError) {
      sendJson(res, 400, k8sStatus(400, 'BadRequest', e.message));
      return;
    }
    throw e;
  }

  if (isWatch(query)) {
    const timeout = query.get('timeoutSeconds');
    serveWatch(req, res, {
      store,
      resource,
      apiVersion,
      namespace,
      labels,
      fields,
      resourceVersion: query.get('resourceVersion') ?? undefined,
      allowBookmarks: query.get('allowWatchBookmarks') === 'true',
      sendInitialEvents: query.get('sendInitialEvents') === 'true',
      // Ignore nonsense rather than ending the watch at once.
      timeoutSeconds: Number(timeout) > 0 ? Number(timeout) : undefined,
      bookmarkMs: options.bookmarkMs,
      faults: options.faults,
    });
    return;
  }

  // List
  let listRv = store.resourceVersion;
  let startAfter: string | undefined;
  const continueParam = query.get('continue');
  if (continueParam) {
    const token = decodeContinue(continueParam);
    if (!token) {
      sendJson(
        res,
        400,
        k8sStatus(
          400,
          'BadRequest',
          'continue key is not valid: illegal base64 data',
        ),
      );
      return;
    }
    if (token.rv < store.oldestWatchableRv) {
      sendJson(res, 410, {
        ...expiredStatus(token.rv, store.oldestWatchableRv),
        message:
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
      });
      return;
    }
    // Later pages come from the current state, not a snapshot at token.rv (documented in the README).
    listRv = token.rv;
    startAfter = token.start;
  }
  const all = store
    .list(resource.key)
    .filter(
      s =>
        (namespace === undefined || s.namespace === namespace) &&
        labels(s.labels) &&
        fields(s),
    );
  const from =
    startAfter === undefined
      ? 0
      : all.findIndex(s => `${s.namespace}/${s.name}` > startAfter!);
  const remaining = from < 0 ? [] : all.slice(from);
  const limit = Number(query.get('limit') ?? 0);
  const page = limit > 0 ? remaining.slice(0, limit) : remaining;
  const more = page.length < remaining.length;
  const last = page[page.length - 1];
  const metadata: Record<string, unknown> = { resourceVersion: String(listRv) };
  if (more && last) {
    metadata.continue = encodeContinue({
      rv: listRv,
      start: `${last.namespace}/${last.name}`,
    });
    if (!query.get('labelSelector') && !query.get('fieldSelector')) {
      metadata.remainingItemCount = remaining.length - page.length;
    }
  }
  const body =
    `{"apiVersion":${JSON.stringify(apiVersion)},"items":[${page
      .map(s => jsonAs(s, apiVersion))
      .join(',')}],` +
    `"kind":"${resource.kind}List","metadata":${JSON.stringify(metadata)}}`;
  sendJson(res, 200, body);
}

const MAX_PATCH_BYTES = 64 * 1024;

/** PATCH of one object with a JSON merge patch (`application/merge-patch+json`), like kubectl. */
function patchObject(
  req: IncomingMessage,
  res: ServerResponse,
  store: ClusterStore,
  resource: ResourceType,
  namespace: string,
  name: string,
  apiVersion: string,
) {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim();
  if (type !== 'application/merge-patch+json') {
    req.resume();
    sendJson(
      res,
      415,
      k8sStatus(
        415,
        'UnsupportedMediaType',
        `the demo fleet supports only application/merge-patch+json patches, not "${type}"`,
      ),
    );
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_PATCH_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > MAX_PATCH_BYTES) {
      sendJson(
        res,
        413,
        k8sStatus(413, 'RequestEntityTooLarge', 'patch too large'),
      );
      return;
    }
    let patch: unknown;
    try {
      patch = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      sendJson(
        res,
        400,
        k8sStatus(400, 'BadRequest', 'the patch is not valid JSON'),
      );
      return;
    }
    try {
      const stored = store.patch(resource.key, namespace, name, patch);
      if (!stored) {
        sendJson(
          res,
          404,
          k8sStatus(
            404,
            'NotFound',
            `${resource.plural}.${resource.group} "${name}" not found`,
          ),
        );
        return;
      }
      sendJson(res, 200, jsonAs(stored, apiVersion));
    } catch (e) {
      if (e instanceof PatchError) {
        sendJson(
          res,
          e.statusCode,
          k8sStatus(
            e.statusCode,
            e.statusCode === 422 ? 'Invalid' : 'BadRequest',
            e.message,
          ),
        );
        return;
      }
      throw e;
    }
  });
}
