/*
 * Test-only: the alert rules of the fixtures (test/fixtures/prometheus), and the label sets their
 * alerts carry, so the matcher is tested on what the widely used rules really produce.
 *
 * Label sets follow Prometheus' rule semantics: an alert carries the labels of the series its
 * expression returns (without `__name__`), the rule's `labels` and `alertname`. For a filtering
 * selector (`metric{…} > 0`) that is the selected series' labels; for an aggregation
 * (`max(…) by (a, b)`) the `by` labels. Only those two expression shapes are modelled — the real
 * evaluation is in the integration test, against a real Prometheus.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { readFixture } from '../../../normalize/__testUtils__/fixtures';

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleFile {
  groups: Array<{ name: string; rules: AlertRule[] }>;
}

/** The rule fixtures the matcher and the integration test use, by what they cover. */
export const RULE_FIXTURES = {
  fluxKsm: 'prometheus/awesome-prometheus-alerts_fluxcd_rules.yml',
  argocd: 'prometheus/awesome-prometheus-alerts_argocd_rules.yml',
  fluxLegacy:
    'prometheus/flux-legacy_alertmanager-rule_ReconciliationFailure.yaml',
} as const;

export function readRuleFile(rel: string): RuleFile {
  return parseYaml(readFixture(rel)) as RuleFile;
}

export function rule(rel: string, alert: string): AlertRule {
  const found = readRuleFile(rel)
    .groups.flatMap(g => g.rules)
    .find(r => r.alert === alert);
  if (!found) throw new Error(`no rule ${alert} in ${rel}`);
  return found;
}

/**
 * The rule file with every `for:` replaced (the integration test cannot wait 15 minutes) and
 * nothing else changed.
 */
export function withFor(rel: string, forValue: string): string {
  const file = readRuleFile(rel);
  for (const g of file.groups) {
    for (const r of g.rules) r.for = forValue;
  }
  return stringifyYaml(file);
}

type Matcher = { name: string; op: string; value: string };

function parseSelector(expr: string): {
  metric: string;
  matchers: Matcher[];
  op: string;
  threshold: number;
} {
  const m =
    /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}\s*(>|<|==|!=)\s*([0-9.]+)\s*$/.exec(
      expr,
    );
  if (!m) throw new Error(`not a filtering selector: ${expr}`);
  const matchers: Matcher[] = [];
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)"\s*,?/y;
  let at = 0;
  while (at < m[2].length) {
    re.lastIndex = at;
    const mm = re.exec(m[2]);
    if (!mm) throw new Error(`cannot parse matchers of: ${expr}`);
    matchers.push({ name: mm[1], op: mm[2], value: mm[3] });
    at = re.lastIndex;
  }
  return { metric: m[1], matchers, op: m[3], threshold: Number(m[4]) };
}

function matches(labels: Record<string, string>, m: Matcher): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return new RegExp(`^(?:${m.value})$`).test(v);
    default:
      return !new RegExp(`^(?:${m.value})$`).test(v);
  }
}

function compare(value: number, op: string, threshold: number): boolean {
  if (op === '>') return value > threshold;
  if (op === '<') return value < threshold;
  if (op === '==') return value === threshold;
  return value !== threshold;
}

export interface Series {
  metric: Record<string, string>;
  value: number;
}

/** The label sets of the alerts a filtering-selector rule fires for these series. */
export function alertsOf(
  r: AlertRule,
  series: Series[],
): Array<Record<string, string>> {
  const { metric, matchers, op, threshold } = parseSelector(r.expr);
  return series
    .filter(
      s =>
        s.metric.__name__ === metric &&
        matchers.every(m => matches(s.metric, m)) &&
        compare(s.value, op, threshold),
    )
    .map(s => {
      const { __name__: _name, ...labels } = s.metric;
      return { ...labels, ...(r.labels ?? {}), alertname: r.alert };
    });
}

/** The `by (…)` labels of an aggregating rule's output, from one series (empty ones dropped). */
export function aggregatedAlertOf(
  r: AlertRule,
  series: Record<string, string>,
): Record<string, string> {
  const by = /\bby\s*\(([^)]*)\)/.exec(r.expr);
  if (!by) throw new Error(`no by (…) in: ${r.expr}`);
  const labels: Record<string, string> = {};
  for (const name of by[1].split(',').map(s => s.trim())) {
    if (series[name]) labels[name] = series[name];
  }
  return { ...labels, ...(r.labels ?? {}), alertname: r.alert };
}

/**
 * A label set of the metric documentation (`gotk_reconcile_condition{kind, name, namespace,
 * type="Ready", status="False"}`) with values for its free labels: the series a controller exports.
 */
export function seriesOfLabelSet(
  rel: string,
  line: (text: string) => boolean,
  values: Record<string, string>,
): Record<string, string> {
  const found = readFixture(rel)
    .split('\n')
    .find(l => line(l));
  if (!found) throw new Error(`no such label set in ${rel}`);
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\}$/.exec(found.trim());
  if (!m) throw new Error(`not a label set: ${found}`);
  const series: Record<string, string> = { __name__: m[1] };
  for (const part of m[2].split(',').map(s => s.trim())) {
    const fixed = /^(\w+)="(.*)"$/.exec(part);
    if (fixed) series[fixed[1]] = fixed[2];
    else if (values[part] !== undefined) series[part] = values[part];
    else throw new Error(`no value for label ${part} of ${found}`);
  }
  return series;
}
