#!/usr/bin/env bash
# Issue #3's table: sinusoid and harmonic regression, 5- and 10-shot, MAML / ANIL / Meta-SGD / MTL,
# each with and without TRLearner, at equal meta-steps, over several seeds. One run directory per
# cell and seed under OUT; summarise with algorithm-suite-table.py OUT.
#
#   bench/experiments/algorithm-suite.sh OUT   (env: TASKS, SHOTS, ALGORITHMS, SEEDS, STEPS, TR_LAMBDA, COORDINATOR, EXTRA)
#
# Several sweeps over disjoint TASKS/SHOTS may run side by side into the same OUT.
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
tr_lambda=${TR_LAMBDA:-0.01}
mkdir -p "$out"
for task in ${TASKS:-sinusoid harmonic}; do
  for shots in ${SHOTS:-5 10}; do
    for algorithm in ${ALGORITHMS:-maml anil metasgd mtl}; do
      for lambda in 0 "$tr_lambda"; do
        for seed in $seeds; do
          # MTL's inner loop fits the task's head (first order, head only: cheap); it takes as many
          # steps in training as the evaluation's fine-tuning, 10, so the body learns features on
          # which 10 head steps are stable. The other algorithms train with the usual 1 step.
          inner_steps=1; [[ $algorithm == mtl ]] && inner_steps=${MTL_INNER_STEPS:-10}
          dir="$out/$task-${shots}shot-$algorithm-tr$lambda-seed$seed"
          [[ -f $dir/summary.json ]] && continue
          mkdir "$dir.lock" 2>/dev/null || continue   # another sweep into the same OUT has this cell
          echo "$(date +%T) $dir (load $(cut -d' ' -f1 /proc/loadavg))"
          # shellcheck disable=SC2086
          $coordinator train --task "$task" --algorithm "$algorithm" --shots "$shots" --query 10 \
            --meta-batch 25 --inner-steps "$inner_steps" --inner-lr 0.01 --outer-lr 0.001 --meta-steps "$steps" \
            --tr-lambda "$lambda" --workers 1 --threads 1 --seed "$seed" \
            --eval-tasks 600 --eval-inner-steps 0,1,10 --log-every 50 --no-report ${EXTRA:-} \
            --out "$dir" > "$dir.log" 2>&1 || { echo "FAILED: $dir (see $dir.log)"; rmdir "$dir.lock"; exit 1; }
          rmdir "$dir.lock"
        done
      done
    done
  done
done
echo "done: $out"
