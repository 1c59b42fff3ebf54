#!/usr/bin/env bash
# Starts a throw-away Prometheus in the foreground on 127.0.0.1:PORT that scrapes the given
# loopback targets' /metrics every second, with its data in DIR (deleted by the caller).
# Usage: start-prometheus.sh PORT DIR TARGET...   (TARGET: HOST:PORT, e.g. 127.0.0.1:9464)
set -euo pipefail
port=${1:?usage: start-prometheus.sh PORT DIR TARGET...}
dir=${2:?usage: start-prometheus.sh PORT DIR TARGET...}
shift 2
[ $# -gt 0 ] || { echo "start-prometheus.sh: give at least one scrape target" >&2; exit 2; }
binary=$("$(dirname "$0")/ensure-prometheus.sh")
mkdir -p "$dir/data"
targets=$(printf '"%s", ' "$@")
cat > "$dir/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: metacluster
    metrics_path: /metrics
    static_configs:
      - targets: [${targets%, }]
YAML
exec "$binary" --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
  --web.listen-address="127.0.0.1:$port" --storage.tsdb.retention.time=1h --log.level=warn
