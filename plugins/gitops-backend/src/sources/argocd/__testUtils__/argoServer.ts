/*
 * How Argo CD API servers answer `GET /api/v1/applications?fields=…`, for stubs: a generic
 * projection (what the demo fleet does) and Argo CD's own, which keeps only a fixed list of fields
 * (server/application `appFields`, Argo CD 2.x and 3.x) whatever else is asked for.
 */

type FieldTree = { [key: string]: FieldTree | true };

function fieldTree(fields: string[]): FieldTree {
  const tree: FieldTree = {};
  for (const field of fields) {
    let node = tree;
    const path = field.split('.').filter(Boolean);
    for (const [i, key] of path.entries()) {
      if (i === path.length - 1) {
        node[key] = true;
        break;
      }
      const next = node[key];
      if (next === true) break;
      node[key] = next ?? {};
      node = node[key] as FieldTree;
    }
  }
  return tree;
}

function pick(value: unknown, tree: FieldTree | true): unknown {
  if (tree === true || value === null || typeof value !== 'object') {
    return value;
  }
  if (Array.isArray(value)) return value.map(v => pick(v, tree));
  const out: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(tree)) {
    if (key in (value as object)) {
      out[key] = pick((value as Record<string, unknown>)[key], sub);
    }
  }
  return out;
}

/** Keeps only the given paths (`items.metadata.name`…); arrays are traversed. */
export function projectGeneric(body: unknown, fields: string[]): unknown {
  return pick(body, fieldTree(fields));
}

/** The fields a real Argo CD server can project (keys of `appFields`, without `items.`). */
export const ARGOCD_PROJECTABLE: Record<string, (app: any) => unknown> = {
  'metadata.name': a => a.metadata?.name,
  'metadata.namespace': a => a.metadata?.namespace,
  'metadata.annotations': a => a.metadata?.annotations,
  'metadata.labels': a => a.metadata?.labels,
  'metadata.creationTimestamp': a => a.metadata?.creationTimestamp,
  'metadata.deletionTimestamp': a => a.metadata?.deletionTimestamp,
  spec: a => a.spec,
  'status.sourceHydrator': a => a.status?.sourceHydrator,
  'status.sync.status': a => a.status?.sync?.status,
  'status.health': a => a.status?.health,
  'status.summary': a => a.status?.summary,
  'status.operationState.startedAt': a => a.status?.operationState?.startedAt,
  'status.operationState.finishedAt': a => a.status?.operationState?.finishedAt,
  'status.resources': a => a.status?.resources,
  'operation.sync': a => a.operation?.sync,
  'status.operationState.phase': a => a.status?.operationState?.phase,
  // Sic: Argo CD puts the sync *result* there.
  'status.operationState.operation.sync': a =>
    a.status?.operationState?.syncResult,
};

/** Argo CD's processApplicationListField: whitelisted fields only, `metadata` = list metadata. */
export function projectLikeArgoCd(body: any, fields: string[]): unknown {
  const wanted = new Set(fields);
  const items = (body.items ?? []).map((app: any) => {
    const out: Record<string, any> = {};
    for (const [field, read] of Object.entries(ARGOCD_PROJECTABLE)) {
      if (!wanted.has(`items.${field}`)) continue;
      const value = read(app);
      if (value === undefined || value === null) continue;
      const parts = field.split('.');
      let node = out;
      for (const p of parts.slice(0, -1)) node = node[p] ??= {};
      node[parts[parts.length - 1]] = value;
    }
    return out;
  });
  return { metadata: body.metadata ?? {}, items };
}
