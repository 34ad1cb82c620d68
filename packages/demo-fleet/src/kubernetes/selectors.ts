/*
 * Label and field selectors with the semantics of the Kubernetes API server
 * (apimachinery/pkg/labels and fields), enough for list and watch filtering.
 */

export class SelectorError extends Error {}

type Requirement =
  | { op: 'exists' | '!exists'; key: string }
  | { op: 'in' | 'notin'; key: string; values: string[] };

export type LabelSelector = (
  labels: Record<string, string> | undefined,
) => boolean;

const KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(input: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of input) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function checkKey(key: string, raw: string): string {
  if (!KEY.test(key) || key.length > 316) {
    throw new SelectorError(
      `unable to parse requirement: invalid label key "${key}" in "${raw}"`,
    );
  }
  return key;
}

function checkValue(value: string, raw: string): string {
  if (!VALUE.test(value) || value.length > 63) {
    throw new SelectorError(
      `unable to parse requirement: invalid label value "${value}" in "${raw}"`,
    );
  }
  return value;
}

function parseRequirement(raw: string): Requirement {
  const s = raw.trim();
  if (!s)
    throw new SelectorError(
      `unable to parse requirement: found '', expected: identifier`,
    );
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(s);
  if (set) {
    const values = set[3].split(',').map(v => checkValue(v.trim(), s));
    return { op: set[2] as 'in' | 'notin', key: checkKey(set[1], s), values };
  }
  const eq = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(s);
  if (eq) {
    const key = checkKey(eq[1], s);
    const value = checkValue(eq[3].trim(), s);
    return { op: eq[2] === '!=' ? 'notin' : 'in', key, values: [value] };
  }
  if (s.startsWith('!'))
    return { op: '!exists', key: checkKey(s.slice(1).trim(), s) };
  return { op: 'exists', key: checkKey(s, s) };
}

export function parseLabelSelector(
  selector: string | null | undefined,
): LabelSelector {
  if (!selector || !selector.trim()) return () => true;
  const requirements = splitTopLevel(selector).map(parseRequirement);
  return labels => {
    const l = labels ?? {};
    return requirements.every(r => {
      const has = Object.prototype.hasOwnProperty.call(l, r.key);
      switch (r.op) {
        case 'exists':
          return has;
        case '!exists':
          return !has;
        case 'in':
          return has && r.values.includes(l[r.key]);
        case 'notin':
          // As in Kubernetes: a missing label satisfies != and notin.
          return !has || !r.values.includes(l[r.key]);
        default:
          return false;
      }
    });
  };
}

export type FieldSelector = (o: { name: string; namespace: string }) => boolean;

/** Custom resources only support metadata.name and metadata.namespace. */
export function parseFieldSelector(
  selector: string | null | undefined,
): FieldSelector {
  if (!selector || !selector.trim()) return () => true;
  const terms = selector.split(',').map(raw => {
    const m = /^\s*([^!=\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(raw);
    if (!m) throw new SelectorError(`invalid field selector: '${raw}'`);
    const [, field, op, value] = m;
    if (field !== 'metadata.name' && field !== 'metadata.namespace') {
      throw new SelectorError(`field label not supported: ${field}`);
    }
    return { field, negate: op === '!=', value };
  });
  return o =>
    terms.every(t => {
      const actual = t.field === 'metadata.name' ? o.name : o.namespace;
      return (actual === t.value) !== t.negate;
    });
}
