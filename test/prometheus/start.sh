#!/usr/bin/env bash
# Runs Prometheus in the foreground on 127.0.0.1, scraping one /metrics URL (e.g. the demo fleet's),
# with data in a temp dir removed on exit. Ctrl-C stops it.
#
#   test/prometheus/start.sh <metrics-url> [ca-file]
#
# Environment: PROMETHEUS_PORT (default 9090), SCRAPE_INTERVAL (default 5s),
# PROMETHEUS_BIN (default: prometheus on PATH). For the demo fleet:
#   curl -sk https://127.0.0.1:<fleet-port>/ca.pem > /tmp/fleet-ca.pem
#   test/prometheus/start.sh https://127.0.0.1:<fleet-port>/metrics /tmp/fleet-ca.pem
# then set gitops.prometheus.url to http://127.0.0.1:9090.
set -euo pipefail
URL=${1:?usage: $0 <metrics-url> [ca-file]}
CA=${2:-}
PORT=${PROMETHEUS_PORT:-9090}
INTERVAL=${SCRAPE_INTERVAL:-5s}
BIN=${PROMETHEUS_BIN:-$(command -v prometheus || echo /usr/bin/prometheus)}
[ -x "$BIN" ] || { echo "prometheus not found: run $(dirname "$0")/install.sh" >&2; exit 1; }

scheme=${URL%%://*}
rest=${URL#*://}
target=${rest%%/*}
path=/${rest#*/}
[ "$path" = "/$rest" ] && path=/metrics

DIR=$(mktemp -d "${TMPDIR:-/tmp}/gitops-prometheus.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
{
  echo "global: { scrape_interval: $INTERVAL }"
  echo "scrape_configs:"
  echo "  - job_name: gitops"
  echo "    scheme: $scheme"
  echo "    metrics_path: '$path'"
  echo "    honor_labels: true"
  if [ -n "$CA" ]; then echo "    tls_config: { ca_file: '$(realpath "$CA")' }"; fi
  echo "    static_configs: [{ targets: ['$target'] }]"
} > "$DIR/prometheus.yml"

echo "prometheus: http://127.0.0.1:$PORT scraping $URL every $INTERVAL"
"$BIN" --config.file="$DIR/prometheus.yml" --storage.tsdb.path="$DIR/data" \
  --web.listen-address="127.0.0.1:$PORT" --log.level=warn &
PID=$!
# SIGTERM to this script stops Prometheus too (Ctrl-C reaches both anyway).
trap 'kill "$PID" 2>/dev/null || true' INT TERM
wait "$PID" || true
wait "$PID" 2>/dev/null || true
