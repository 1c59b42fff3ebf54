#!/usr/bin/env bash
# Makes sure redis-server is installed (Debian's package). Used by tests and local-cluster.sh.
# Installs it only when run as root (CI, containers); otherwise prints the command to run and fails,
# so that nothing here ever asks for a password (tests skip with that command instead).
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "redis-server is not installed; install it with: sudo apt-get install redis-server" >&2
  exit 1
fi
echo "installing redis-server from apt..." >&2
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
# The package starts a system service on 6379; this project starts its own servers on chosen ports.
(systemctl stop redis-server 2>/dev/null || service redis-server stop 2>/dev/null || true) >/dev/null 2>&1
command -v redis-server >/dev/null
