'use strict';

/** Nearest-rank percentile of an array of numbers (ms). */
function percentile(values, p) {
  if (!values.length) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function summarize(values) {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p99: percentile(values, 99),
    max: values.length ? Math.max(...values) : NaN,
  };
}

const ms = (v, digits = 1) =>
  Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : digits) : 'n/a';
const mb = bytes => (bytes / 1024 / 1024).toFixed(1);

module.exports = { percentile, summarize, ms, mb };
