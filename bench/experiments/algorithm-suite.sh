#!/usr/bin/env bash
# Issue #3's table: sinusoid and harmonic regression, 5- and 10-shot, MAML / ANIL / Meta-SGD / MTL,
# each with and without TRLearner, at equal meta-steps, over several seeds. One run directory per
# cell and seed under OUT; summarise with algorithm-suite-table.py OUT.
#
#   bench/experiments/algorithm-suite.sh OUT            (env: SEEDS, STEPS, TR_LAMBDA, COORDINATOR, EXTRA)
#
# COORDINATOR defaults to the Release build of this checkout (build it first with
# `dotnet build -c Release Coordinator`). A finished cell (summary.json present) is skipped, so an
# interrupted sweep continues where it stopped.
set -euo pipefail
out=${1:?usage: algorithm-suite.sh OUT}
root=$(cd "$(dirname "$0")/../.." && pwd)
coordinator=${COORDINATOR:-dotnet $root/Coordinator/bin/Release/net10.0/Coordinator.dll}
seeds=${SEEDS:-"0 1 2"}
steps=${STEPS:-2000}
tr_lambda=${TR_LAMBDA:-0.1}
mkdir -p "$out"
for task in sinusoid harmonic; do
  for shots in 5 10; do
    for algorithm in maml anil metasgd mtl; do
      for lambda in 0 "$tr_lambda"; do
        for seed in $seeds; do
          dir="$out/$task-${shots}shot-$algorithm-tr$lambda-seed$seed"
          [[ -f $dir/summary.json ]] && continue
          echo "$(date +%T) $dir (load $(cut -d' ' -f1 /proc/loadavg))"
          # shellcheck disable=SC2086
          $coordinator train --task "$task" --algorithm "$algorithm" --shots "$shots" --query 10 \
            --meta-batch 25 --inner-steps 1 --inner-lr 0.01 --outer-lr 0.001 --meta-steps "$steps" \
            --tr-lambda "$lambda" --workers 1 --threads 1 --seed "$seed" \
            --eval-tasks 600 --eval-inner-steps 0,1,10 --log-every 50 --no-report ${EXTRA:-} \
            --out "$dir" > "$dir.log" 2>&1 || { echo "FAILED: $dir (see $dir.log)"; exit 1; }
        done
      done
    done
  done
done
echo "done: $out"
