#!/usr/bin/env bash
# Makes sure redis-server is installed (Debian's package). Used by tests and local-cluster.sh.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing redis-server from apt..." >&2
$SUDO apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
# The package starts a system service on 6379; this project starts its own servers on chosen ports.
($SUDO systemctl stop redis-server 2>/dev/null || $SUDO service redis-server stop 2>/dev/null || true) >/dev/null 2>&1
command -v redis-server >/dev/null
