/*
 * Kubernetes label selectors (equality- and set-based), as written in
 * `backstage.io/kubernetes-label-selector` and `argocd/app-selector`. Matched in memory against
 * collected objects' labels; never sent anywhere.
 */

type Requirement =
  | { op: 'exists' | 'notexists'; key: string }
  | { op: 'in' | 'notin'; key: string; values: string[] };

export type LabelSelector = Requirement[];

/** Splits on commas that are not inside parentheses. */
function splitTop(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map(p => p.trim()).filter(Boolean);
}

const KEY = String.raw`[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?`;
const EQUALITY = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*([-A-Za-z0-9_.]*)$`);
const SET = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`);
const NOT_EXISTS = new RegExp(`^!\\s*(${KEY})$`);
const EXISTS = new RegExp(`^(${KEY})$`);

/** Parses a selector; throws an Error naming the bad part. An empty selector matches nothing. */
export function parseLabelSelector(selector: string): LabelSelector {
  const reqs: Requirement[] = [];
  for (const part of splitTop(selector)) {
    const equality = EQUALITY.exec(part);
    const set = equality ? null : SET.exec(part);
    const absent = NOT_EXISTS.exec(part);
    const present = EXISTS.exec(part);
    if (equality) {
      reqs.push({
        op: equality[3] === '!=' ? 'notin' : 'in',
        key: equality[1],
        values: [equality[4]],
      });
    } else if (set) {
      const values = set[4]
        .split(',')
        .map(v => v.trim())
        .filter(Boolean);
      reqs.push({ op: set[3] as 'in' | 'notin', key: set[1], values });
    } else if (absent) {
      reqs.push({ op: 'notexists', key: absent[1] });
    } else if (present) {
      reqs.push({ op: 'exists', key: present[1] });
    } else {
      throw new Error(`invalid label selector requirement "${part}"`);
    }
  }
  return reqs;
}

export function matchesLabelSelector(
  selector: LabelSelector,
  labels: Record<string, string>,
): boolean {
  if (selector.length === 0) return false;
  return selector.every(req => {
    const has = Object.prototype.hasOwnProperty.call(labels, req.key);
    switch (req.op) {
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case 'in':
        return has && req.values.includes(labels[req.key]);
      case 'notin':
        return !has || !req.values.includes(labels[req.key]);
      default:
        return false;
    }
  });
}
