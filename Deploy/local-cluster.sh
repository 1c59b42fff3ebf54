#!/usr/bin/env bash
# A real multi-process cluster on this machine, over loopback: Redis (membership), one
# coordinator (`Coordinator serve`) and N TaskWorker processes. Ctrl-C stops everything.
#
#   Deploy/local-cluster.sh [WORKERS]          # default 2 workers
#   dotnet Coordinator/bin/Release/net10.0/Coordinator.dll submit --coordinator http://127.0.0.1:7100 --meta-steps 500
#   dotnet Coordinator/bin/Release/net10.0/Coordinator.dll watch --coordinator http://127.0.0.1:7100 --run RUN_ID --out runs/RUN_ID
set -euo pipefail
cd "$(dirname "$0")/.."
workers=${1:-2}
redis_port=${REDIS_PORT:-6390}
api=${API_URL:-http://127.0.0.1:7100}
state=${STATE_DIR:-cluster-state}

dotnet build -c Release Coordinator/Coordinator.csproj -v quiet -nologo
bin=Coordinator/bin/Release/net10.0

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

Deploy/scripts/start-redis.sh "$redis_port" & pids+=($!)
sleep 1
dotnet "$bin/Coordinator.dll" serve --redis "127.0.0.1:$redis_port" --api "$api" --state-dir "$state" --metrics-port 0 & pids+=($!)
for i in $(seq 1 "$workers"); do
  dotnet "$bin/TaskWorker.dll" --redis "127.0.0.1:$redis_port" --device cpu --silo-port $((11200 + i)) --metrics-port 0 --threads 1 & pids+=($!)
done
echo "cluster up: coordinator $api, $workers worker(s), redis 127.0.0.1:$redis_port (Ctrl-C to stop)"
wait
