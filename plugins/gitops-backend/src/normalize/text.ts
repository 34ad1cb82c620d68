/*
 * Free text from the tools (condition messages, Helm errors, Argo CD operation messages) can be
 * many kilobytes, and anything read from an API can be hostile. Texts are kept within the limits of
 * ./limits.ts, cut on a code-point boundary with a note saying how much was cut, and without
 * control characters (PostgreSQL cannot store NUL; the others only garble a page or a log line).
 */
import {
  MAX_MESSAGE_BYTES,
  MAX_NAME_LENGTH,
  MAX_SHORT_BYTES,
  MAX_URL_BYTES,
} from './limits';

export {
  MAX_MESSAGE_BYTES,
  MAX_NAME_LENGTH,
  MAX_SHORT_BYTES,
  MAX_URL_BYTES,
} from './limits';

/** C0 controls and DEL, except tab, line feed and carriage return. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
// eslint-disable-next-line no-control-regex -- as above
const HAS_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export function hasControlCharacters(value: string): boolean {
  return HAS_CONTROL.test(value);
}

/** Control characters replaced by U+FFFD, so what was there stays visible. */
export function withoutControlCharacters(value: string): string {
  return HAS_CONTROL.test(value) ? value.replace(CONTROL, '\uFFFD') : value;
}

/** UTF-8 bytes of one UTF-16 code unit at `i` (a surrogate pair counts 4 on its high half, 0 on its low half). */
function unitBytes(value: string, i: number): number {
  const c = value.charCodeAt(i);
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = value.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 4;
  } else if (c >= 0xdc00 && c <= 0xdfff) {
    const b = i > 0 ? value.charCodeAt(i - 1) : 0;
    if (b >= 0xd800 && b <= 0xdbff) return 0;
  }
  // Other BMP characters, and a lone surrogate (written as U+FFFD).
  return 3;
}

export function utf8Length(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) bytes += unitBytes(value, i);
  return bytes;
}

/** Characters (code points) of a string. */
export function characterCount(value: string): number {
  let n = value.length;
  for (let i = 0; i < value.length; i++) {
    if (unitBytes(value, i) === 0) n--;
  }
  return n;
}

/** `12345` → `12,345`. */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function truncationNote(removed: number): string {
  return `… [truncated ${formatCount(removed)} characters]`;
}

/** Bytes of {@link truncationNote} without building it: every part of it is ASCII but `…` (3 bytes). */
function noteBytes(removed: number): number {
  const digits = String(removed).length;
  return (
    '… [truncated  characters]'.length +
    2 +
    digits +
    Math.floor((digits - 1) / 3)
  );
}

/**
 * Cuts `value` to at most `maxBytes` UTF-8 bytes, on a code-point boundary, ending with a note of
 * how many characters were cut (`… [truncated 12,345 characters]`) so nobody mistakes the cut for
 * the whole text. Keeps as much as fits with the note; only the note when not even that fits.
 */
export function truncate(
  value: string,
  maxBytes: number = MAX_MESSAGE_BYTES,
): string {
  // UTF-8 needs at least one byte per UTF-16 unit and at most three.
  if (value.length * 3 <= maxBytes) return value;
  if (value.length <= maxBytes && utf8Length(value) <= maxBytes) return value;
  const total = characterCount(value);
  // The longest prefix that fits with the note for what it leaves out. The note shrinks by a byte
  // or two as the prefix grows past a power of ten, so every length up to the budget is tried.
  let best = { end: 0, removed: total };
  let used = 0;
  let kept = 0;
  for (let i = 0; i < value.length && used <= maxBytes; ) {
    if (used + noteBytes(total - kept) <= maxBytes) {
      best = { end: i, removed: total - kept };
    }
    const bytes = unitBytes(value, i);
    used += bytes;
    kept++;
    // A surrogate pair is one character of two units.
    i += bytes === 4 ? 2 : 1;
  }
  return `${value.slice(0, best.end)}${truncationNote(best.removed)}`;
}

/** A non-empty text without control characters, truncated; undefined otherwise. */
export function text(
  value: unknown,
  maxBytes: number = MAX_MESSAGE_BYTES,
): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  return truncate(withoutControlCharacters(value), maxBytes);
}

/** A short label (reason, phase, condition type, revision). */
export function shortText(value: unknown): string | undefined {
  return text(value, MAX_SHORT_BYTES);
}

/**
 * A URL as read (not checked: links are built from it only when safe), or undefined when absent
 * or longer than {@link MAX_URL_BYTES}; a URL dropped for its length is noted in `notes`.
 */
export function urlText(
  value: unknown,
  what: string,
  notes: string[],
): string | undefined {
  const url = text(value, Number.MAX_SAFE_INTEGER);
  if (url === undefined) return undefined;
  const bytes = utf8Length(url);
  if (bytes <= MAX_URL_BYTES) return url;
  notes.push(
    `${what} of ${formatCount(bytes)} bytes not kept (limit ${formatCount(
      MAX_URL_BYTES,
    )})`,
  );
  return undefined;
}

/** `unknown:<server>` for an Argo CD destination no configured cluster matches, within name limits. */
export function unknownCluster(destination: string | undefined): string {
  return truncate(
    `unknown:${withoutControlCharacters(destination ?? 'no-destination')}`,
    MAX_NAME_LENGTH,
  );
}

/** A note for list entries not kept: `12 conditions not kept (limit 32)`; undefined when none. */
export function droppedNote(
  what: string,
  total: number,
  limit: number,
): string | undefined {
  return total > limit
    ? `${formatCount(total - limit)} ${what} not kept (limit ${limit})`
    : undefined;
}

/** How an unrecognised raw value is quoted in a message: `"Weird"`, `42`, `an object`. */
export function describeRaw(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(truncate(value, 64));
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a value of type ${typeof value}`;
}

/** Joins message parts with "; ", dropping empty ones; truncated as a whole. */
export function joinMessages(
  ...parts: Array<string | undefined>
): string | undefined {
  const kept = parts.filter((p): p is string => !!p && !!p.trim());
  return kept.length
    ? truncate(withoutControlCharacters(kept.join('; ')))
    : undefined;
}
