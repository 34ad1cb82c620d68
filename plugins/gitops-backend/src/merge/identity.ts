import { createHash } from 'node:crypto';
import type {
  ObjectIdentity,
  GitOpsRecord,
} from '@gitops-status/plugin-gitops-common';

/** The identity key of an object: one record per tool/cluster/namespace/kind/name. */
export function recordId(r: ObjectIdentity): string {
  return [r.tool, r.cluster, r.namespace, r.kind, r.name].join('|');
}

/**
 * A content hash that ignores `observedAt`, so seeing an unchanged object again writes nothing.
 */
export function recordHash(r: GitOpsRecord): string {
  const { observedAt: _ignored, ...content } = r;
  return createHash('sha256').update(stableJson(content)).digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : Number(a > b)));
    return `{${entries
      .map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
