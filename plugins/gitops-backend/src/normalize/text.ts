/*
 * Free text from the tools (condition messages, Helm errors, Argo CD operation messages) can be
 * many kilobytes (a Kyverno denial quotes whole policies). Records keep at most 4 KiB per text.
 */

/** Largest message kept on a record, in UTF-8 bytes. */
export const MAX_MESSAGE_BYTES = 4096;
/** Largest short text (reason, phase, type, revision) kept, in UTF-8 bytes. */
export const MAX_SHORT_BYTES = 256;
/** Largest URL kept (repository URLs). */
export const MAX_URL_BYTES = 2048;

export function utf8Length(value: string): number {
  let bytes = 0;
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) bytes += 1;
    else if (cp < 0x800) bytes += 2;
    else if (cp < 0x10000) bytes += 3;
    else bytes += 4;
  }
  return bytes;
}

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes, on a code-point boundary, and says so at the end
 * (`… [truncated, 12345 bytes]`) so nobody mistakes the cut for the whole message.
 */
export function truncate(
  value: string,
  maxBytes: number = MAX_MESSAGE_BYTES,
): string {
  const total = utf8Length(value);
  if (total <= maxBytes) return value;
  const note = `… [truncated, ${total} bytes]`;
  const budget = Math.max(0, maxBytes - utf8Length(note));
  let used = 0;
  let out = '';
  for (const ch of value) {
    const n = utf8Length(ch);
    if (used + n > budget) break;
    used += n;
    out += ch;
  }
  return `${out}${note}`;
}

/** A non-empty text, truncated; undefined otherwise. */
export function text(
  value: unknown,
  maxBytes: number = MAX_MESSAGE_BYTES,
): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  return truncate(value, maxBytes);
}

/** A short label (reason, phase, condition type). */
export function shortText(value: unknown): string | undefined {
  return text(value, MAX_SHORT_BYTES);
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
  return kept.length ? truncate(kept.join('; ')) : undefined;
}
