/*
 * Test-only: Prometheus text exposition (the fixture .prom files) to the vector result shape of the
 * query API, so the mapping can be tested on real exposition lines without a Prometheus.
 */
import type { VectorSample } from '../client';

function parseLabels(body: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;
  let at = 0;
  while (at < body.length) {
    re.lastIndex = at;
    const m = re.exec(body);
    if (!m) throw new Error(`cannot parse labels of: ${line}`);
    labels[m[1]] = m[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    at = re.lastIndex;
  }
  return labels;
}

/** Every sample of an exposition text, by metric name, as instant-query results at `time`. */
export function parseExposition(
  exposition: string,
  time = 1735689600,
): Map<string, VectorSample[]> {
  const byName = new Map<string, VectorSample[]>();
  for (const raw of exposition.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (!m) throw new Error(`cannot parse exposition line: ${line}`);
    const [, name, body, value] = m;
    const sample: VectorSample = {
      metric: { __name__: name, ...parseLabels(body ?? '', line) },
      value: [time, value],
    };
    byName.set(name, [...(byName.get(name) ?? []), sample]);
  }
  return byName;
}

/** A Prometheus API body for a vector result. */
export function vectorBody(samples: VectorSample[]): string {
  return JSON.stringify({
    status: 'success',
    data: { resultType: 'vector', result: samples },
  });
}
