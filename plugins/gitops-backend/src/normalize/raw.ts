/*
 * Safe readers for untyped JSON read from clusters and APIs. Nothing here trusts a shape: every
 * reader returns undefined (or an empty value) for anything unexpected, so normalizers never throw.
 */
import { MAX_LABELS, MAX_SHORT_BYTES } from './limits';
import { droppedNote, hasControlCharacters, utf8Length } from './text';

/** A plain JSON-like object (not an array, not null). */
export type RawObject = Record<string, unknown>;

export function asObject(value: unknown): RawObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as RawObject)
    : undefined;
}

/** The value at a path of object keys; undefined as soon as a step is not an object. */
export function field(value: unknown, ...path: string[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    const o = asObject(current);
    if (!o || !Object.prototype.hasOwnProperty.call(o, key)) return undefined;
    current = o[key];
  }
  return current;
}

/** A non-empty string (after trimming), else undefined. */
export function str(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return value.trim() ? value : undefined;
}

/** A finite integer (Kubernetes generations, counters). */
export function int(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value)
    ? value
    : undefined;
}

/** The elements of an array; [] for anything else (`items: null` included). */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? Array.from(value) : [];
}

/**
 * `metadata.labels`, as far as a record keeps them: string values, keys and values within
 * {@link MAX_SHORT_BYTES} without control characters (Kubernetes allows 317 and 63 characters of
 * a small alphabet, so only hostile input is dropped), at most {@link MAX_LABELS}. Cutting a label
 * would make selectors match what it is not, so what does not fit is dropped and noted.
 */
export function readLabels(
  value: unknown,
  notes: string[],
): Record<string, string> {
  const o = asObject(value);
  if (!o) return {};
  const fits = (s: string) =>
    s.length <= MAX_SHORT_BYTES &&
    utf8Length(s) <= MAX_SHORT_BYTES &&
    !hasControlCharacters(s);
  const entries = Object.entries(o).filter(
    (e): e is [string, string] => typeof e[1] === 'string' && e[0] !== '',
  );
  const kept = entries.filter(([k, v]) => fits(k) && fits(v));
  if (kept.length < entries.length) {
    notes.push(
      `${
        entries.length - kept.length
      } labels not kept (longer than ${MAX_SHORT_BYTES} bytes or with control characters)`,
    );
  }
  const note = droppedNote('labels', kept.length, MAX_LABELS);
  if (note) notes.push(note);
  // Object.fromEntries defines own properties, so a `__proto__` key cannot touch a prototype.
  return Object.fromEntries(kept.slice(0, MAX_LABELS));
}

/** Kubernetes / Argo CD / Azure timestamps are RFC 3339; anything else is dropped, never guessed. */
const RFC3339 =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function isoTime(value: unknown): string | undefined {
  if (typeof value !== 'string' || !RFC3339.test(value)) return undefined;
  return Number.isFinite(Date.parse(value)) ? value : undefined;
}

export function isIsoTime(value: unknown): value is string {
  return isoTime(value) !== undefined;
}

/** The latest of some timestamps (undefined entries ignored). */
export function newest(
  ...times: Array<string | undefined>
): string | undefined {
  let best: string | undefined;
  for (const t of times) {
    if (t && (!best || Date.parse(t) > Date.parse(best))) best = t;
  }
  return best;
}
