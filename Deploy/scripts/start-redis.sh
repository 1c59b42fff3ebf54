#!/usr/bin/env bash
# Starts a throw-away Redis on 127.0.0.1:PORT in the foreground (no persistence). Usage: start-redis.sh PORT
set -euo pipefail
port=${1:?usage: start-redis.sh PORT}
"$(dirname "$0")/ensure-redis.sh"
exec redis-server --port "$port" --bind 127.0.0.1 --protected-mode yes --save "" --appendonly no --daemonize no --loglevel warning
