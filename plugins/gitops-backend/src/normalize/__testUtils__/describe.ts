/*
 * Test-only reader for `kubectl describe` output (Title Case keys, lists shown as repeated keys,
 * multi-line values continued at a deeper indent). Reads the `Status:` block into the object
 * `kubectl get -o yaml` would show, as far as the printed text allows.
 */

type Tree = Record<string, unknown>;

/** Keys whose value is a list in the API even when describe shows a single entry. */
const LIST_KEYS = new Set(['conditions', 'history', 'entries']);

export function parseDescribeStatus(text: string): Tree {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex(l => /^\s*Status:\s*$/.test(l));
  if (start < 0) throw new Error('no "Status:" block in describe output');
  const base = indentOf(lines[start]);
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    // `...` marks lines the documentation elided.
    if (!line.trim() || line.trim() === '...') continue;
    if (indentOf(line) <= base) break;
    body.push(line);
  }
  if (!body.length) return {};
  const [tree] = parseMapping(body, 0, indentOf(body[0]));
  return listify(tree) as Tree;
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

const KEY_LINE = /^\s*([^:]+?):(?:\s+(.*?))?\s*$/;

function parseMapping(
  lines: string[],
  from: number,
  indent: number,
): [Tree | Tree[], number] {
  const items: Tree[] = [{}];
  let i = from;
  while (i < lines.length) {
    const line = lines[i];
    const ind = indentOf(line);
    if (ind < indent) break;
    const m = KEY_LINE.exec(line);
    if (!m || ind > indent) {
      i++; // stray text with no key to attach to
      continue;
    }
    const key = camelCase(m[1]);
    let current = items[items.length - 1];
    // describe prints list items one after the other: a repeated key starts the next item.
    if (Object.prototype.hasOwnProperty.call(current, key)) {
      current = {};
      items.push(current);
    }
    const value = m[2];
    if (value === undefined || value === '') {
      const next = lines[i + 1];
      if (next !== undefined && indentOf(next) > ind) {
        const [child, after] = parseMapping(lines, i + 1, indentOf(next));
        current[key] = child;
        i = after;
      } else {
        current[key] = null;
        i++;
      }
      continue;
    }
    // A scalar has no children: deeper lines continue its (multi-line) value.
    const parts = [value];
    let j = i + 1;
    for (; j < lines.length && indentOf(lines[j]) > ind; j++)
      parts.push(lines[j].trim());
    current[key] = scalar(key, parts.join('\n'));
    i = j;
  }
  return [items.length > 1 ? items : items[0], i];
}

function camelCase(key: string): string {
  return key
    .trim()
    .split(/\s+/)
    .map((word, i) => {
      const w = word === word.toUpperCase() ? word.toLowerCase() : word;
      return i === 0
        ? w.charAt(0).toLowerCase() + w.slice(1)
        : w.charAt(0).toUpperCase() + w.slice(1);
    })
    .join('');
}

function scalar(key: string, value: string): unknown {
  // Generations, sizes and versions are integers; revisions stay strings even when numeric.
  return /^-?\d+$/.test(value) && !/revision/i.test(key)
    ? Number(value)
    : value;
}

function listify(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) return value.map(v => listify(v));
  if (value && typeof value === 'object') {
    const out = Object.fromEntries(
      Object.entries(value as Tree).map(([k, v]) => [k, listify(v, k)]),
    );
    return key && LIST_KEYS.has(key) ? [out] : out;
  }
  return value;
}
