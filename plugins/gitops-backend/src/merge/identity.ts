import { createHash } from 'node:crypto';
import {
  gitopsRecordId,
  type GitOpsRecord,
  type ObjectIdentity,
} from '@gitops-status/plugin-gitops-common';

/** The identity key of an object: one record per tool/cluster/namespace/kind/name. */
export function recordId(r: ObjectIdentity): string {
  return gitopsRecordId(r);
}

/** Records made immutable by {@link freezeRecord}: their hash can be remembered. */
const frozen = new WeakSet<object>();
const hashes = new WeakMap<object, string>();

function deepFreeze(value: unknown): void {
  if (!value || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

/**
 * Makes a record deeply immutable, so {@link recordHash} computes its hash once however often the
 * same record object is reported again (a source that keeps records of unchanged objects between
 * reports). Returns the record.
 */
export function freezeRecord<T extends GitOpsRecord>(record: T): T {
  deepFreeze(record);
  frozen.add(record);
  return record;
}

/**
 * A content hash that ignores `observedAt`, so seeing an unchanged object again writes nothing.
 */
export function recordHash(r: GitOpsRecord): string {
  const known = hashes.get(r);
  if (known) return known;
  const hash = createHash('sha256').update(contentJson(r)).digest('hex');
  if (frozen.has(r)) hashes.set(r, hash);
  return hash;
}

/** The record as canonical JSON without `observedAt`. */
function contentJson(r: GitOpsRecord): string {
  const { observedAt: _ignored, ...content } = r;
  return stableJson(content);
}

/**
 * JSON with object keys sorted by UTF-16 code unit (`<`), locale-independent; undefined members
 * are left out and undefined array items written as null, like JSON.stringify. For the keys a
 * record can hold (field names; Kubernetes label and annotation keys are ASCII) this is code point
 * order too. The output must not change: stored hashes are compared with it.
 */
/** `"key":` per object key seen (field names, label and annotation keys), bounded. */
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 10_000;

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = `${JSON.stringify(key)}:`;
    if (quotedKeys.size < MAX_QUOTED_KEYS) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** Object keys in `<` order; sorted only when they are not already (labels usually are). */
function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1] > keys[i]) return keys.sort();
  }
  return keys;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i) out += ',';
      out += stableJson(value[i]);
    }
    return `${out}]`;
  }
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    let out = '{';
    let first = true;
    for (const k of sortedKeys(o)) {
      const v = o[k];
      if (v === undefined) continue;
      if (!first) out += ',';
      first = false;
      out += quotedKey(k) + stableJson(v);
    }
    return `${out}}`;
  }
  if (typeof value === 'string') return JSON.stringify(value);
  return JSON.stringify(value) ?? 'null';
}
