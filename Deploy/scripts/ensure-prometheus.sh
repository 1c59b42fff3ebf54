#!/usr/bin/env bash
# Makes sure a prometheus binary is installed (Debian's package) and prints its path. Used by
# start-prometheus.sh and the observability tests. Installs it only when run as root (CI,
# containers); otherwise prints the command to run and fails (the tests skip with that command).
set -euo pipefail
if ! command -v prometheus >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "prometheus is not installed; install it with: sudo apt-get install --no-install-recommends prometheus" >&2
    exit 1
  fi
  echo "installing prometheus from apt..." >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  # The package starts a system service on :9090; this project starts its own servers on chosen ports.
  (systemctl stop prometheus 2>/dev/null || service prometheus stop 2>/dev/null || true) >/dev/null 2>&1
fi
command -v prometheus
