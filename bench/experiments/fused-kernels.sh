#!/usr/bin/env bash
# Issue #8, session of 2026-12-01 (evening): the figures after the fused MLP kernel and the
# allocator settings. Writes into OUT:
#   throughput/    bench --suite throughput,scaling (every configuration, PyTorch side by side;
#                  the scaling suite with its defaults), --kernels fused (the default)
#   autograd/      the sinusoid configurations again with --kernels autograd (the before)
#   capacity/      the capacity suite at 1M parameters: 8 and 64 workers, float32; 64 workers with
#                  bf16 gradients; 64 workers, 8 per process (one θ fetch per process)
#
#   bench/experiments/fused-kernels.sh OUT     (env: TARGET_SECONDS (8), BENCH)
#
# Run it on a quiet machine: the figures are wall-clock rates.
set -euo pipefail
out=${1:?usage: fused-kernels.sh OUT}
root=$(cd "$(dirname "$0")/../.." && pwd)
runner=${BENCH:-dotnet $root/bench/Bench/bin/Release/net10.0/Bench.dll}
target=${TARGET_SECONDS:-8}
mkdir -p "$out"
log() { echo "$(date +%T) $*  |$(uptime)" | tee -a "$out/uptime.log" >&2; }

log capacity
$runner --suite capacity --capacity-params 1M --capacity-workers 8,64 --warmup 1 --repeats 3 --out "$out/capacity/f32"
$runner --suite capacity --capacity-params 1M --capacity-workers 64 --capacity-dtype bf16 --warmup 1 --repeats 3 --out "$out/capacity/bf16"
$runner --suite capacity --capacity-params 1M --capacity-workers 64 --capacity-workers-per-process 8 --warmup 1 --repeats 3 --out "$out/capacity/shared8"
log "sinusoid, autograd"
$runner --suite throughput --configs sinusoid-maml,sinusoid-fomaml --kernels autograd --reference none \
  --target-seconds "$target" --out "$out/autograd"
log "throughput and scaling, fused"
$runner --suite throughput,scaling --target-seconds "$target" --out "$out/throughput"
log done
