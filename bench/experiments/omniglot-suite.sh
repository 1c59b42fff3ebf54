#!/usr/bin/env bash
# Issue #4's table: train on images_background_small1 (5 alphabets, with rotations), test on the
# alphabets of images_background_small2 never seen in training (Japanese (katakana), Sanskrit,
# Tagalog; Greek and Latin are in both sets and are counted once, as training classes), 600
# episodes: 5-way 1-shot, 5-way 5-shot, 20-way 1-shot for ProtoNet, first- and second-order MAML
# and first-order MTL. Summarise with omniglot-suite-table.py OUT.
#
#   bench/experiments/omniglot-suite.sh OUT     (env: SEED, COORDINATOR, CONFIGS, ALGORITHMS, WORKERS,
#                                                STEPS_protonet, STEPS_fomaml, STEPS_maml, STEPS_mtl)
#
# The budget is meta-steps per algorithm (defaults below), the same for the three episode shapes.
# A finished cell (summary.json present) is skipped.
set -euo pipefail
out=${1:?usage: omniglot-suite.sh OUT}
root=$(cd "$(dirname "$0")/../.." && pwd)
data=${DATA:-$root/../shared/data/omniglot}
coordinator=${COORDINATOR:-dotnet $root/Coordinator/bin/Release/net10.0/Coordinator.dll}
seed=${SEED:-0}
workers=${WORKERS:-2}
configs=${CONFIGS:-"5w1s 5w5s 20w1s"}
algorithms=${ALGORITHMS:-"protonet fomaml maml mtl"}
mkdir -p "$out"
for config in $configs; do
  ways=${config%%w*}; shots=${config#*w}; shots=${shots%s}
  for algorithm in $algorithms; do
    steps_var=STEPS_$algorithm
    case $algorithm in
      protonet) defaults=(--meta-batch 16 --eval-inner-steps 0); steps=${!steps_var:-600} ;;
      fomaml|maml) defaults=(--meta-batch 8 --inner-steps 1 --inner-lr 0.4 --eval-inner-steps 0,1,3); steps=${!steps_var:-300} ;;
      mtl) defaults=(--meta-batch 16 --inner-steps 5 --inner-lr 0.4 --eval-inner-steps 0,10); steps=${!steps_var:-600} ;;
      *) echo "unknown algorithm $algorithm"; exit 2 ;;
    esac
    dir="$out/$config-$algorithm-seed$seed"
    [[ -f $dir/summary.json ]] && continue
    echo "$(date +%T) $dir ($steps steps, load $(cut -d' ' -f1 /proc/loadavg))"
    # shellcheck disable=SC2086
    $coordinator train --task images --data "$data/images_background_small1.zip" \
      --eval-data "$data/images_background_small2.zip" --rotations \
      --algorithm "$algorithm" --ways "$ways" --shots "$shots" --query 5 "${defaults[@]}" \
      --outer-lr 0.001 --meta-steps "$steps" --workers "$workers" --threads 1 --seed "$seed" \
      --eval-tasks 600 --log-every 10 --no-report ${EXTRA:-} --out "$dir" > "$dir.log" 2>&1 \
      || { echo "FAILED: $dir (see $dir.log)"; exit 1; }
  done
done
echo "done: $out"
