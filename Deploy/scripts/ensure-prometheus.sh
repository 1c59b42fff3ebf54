#!/usr/bin/env bash
# Makes sure a prometheus binary is installed (Debian's package) and prints its path. Used by
# start-prometheus.sh and the observability tests.
set -euo pipefail
if ! command -v prometheus >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "installing prometheus from apt..." >&2
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  # The package starts a system service on :9090; this project starts its own servers on chosen ports.
  ($SUDO systemctl stop prometheus 2>/dev/null || $SUDO service prometheus stop 2>/dev/null || true) >/dev/null 2>&1
fi
command -v prometheus
