#!/usr/bin/env bash
# Issue #3's cost of TRLearner: time per meta-step with and without it, and where the time goes.
# Sinusoid MAML (meta-batch 25, 5-shot, 10 query points, 1 inner step), 1 and 2 workers, λ = 0 and
# λ = TR_LAMBDA, STEPS meta-steps each, no evaluation; prints a Markdown table of each run's
# per-phase milliseconds per step (summary.json's step_phase_milliseconds).
#
#   bench/experiments/tr-cost.sh OUT     (env: STEPS (300), TR_LAMBDA (0.01), WORKERS ("1 2"), COORDINATOR)
#
# Run it on a quiet machine: the figures are wall-clock times.
set -euo pipefail
out=${1:?usage: tr-cost.sh OUT}
root=$(cd "$(dirname "$0")/../.." && pwd)
coordinator=${COORDINATOR:-dotnet $root/Coordinator/bin/Release/net10.0/Coordinator.dll}
steps=${STEPS:-300}
tr_lambda=${TR_LAMBDA:-0.01}
mkdir -p "$out"
for workers in ${WORKERS:-1 2}; do
  for lambda in 0 "$tr_lambda"; do
    dir="$out/workers$workers-tr$lambda"
    [[ -f $dir/summary.json ]] && continue
    echo "$(date +%T) $dir (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    # shellcheck disable=SC2086
    $coordinator train --task sinusoid --algorithm maml --shots 5 --query 10 --meta-batch 25 \
      --inner-steps 1 --inner-lr 0.01 --outer-lr 0.001 --meta-steps "$steps" --tr-lambda "$lambda" \
      --workers "$workers" --threads 1 --seed 0 --eval-tasks 0 --log-every 50 --no-report \
      --out "$dir" > "$dir.log" 2>&1 || { echo "FAILED: $dir (see $dir.log)" >&2; exit 1; }
  done
done
/usr/bin/python3 - "$out" <<'EOF'
import json, os, sys
out = sys.argv[1]
rows, phases = [], []
for name in sorted(os.listdir(out)):
    path = os.path.join(out, name, "summary.json")
    if not os.path.exists(path):
        continue
    s = json.load(open(path))
    p = s.get("step_phase_milliseconds", {})
    phases += [k for k in p if k not in phases]
    rows.append((name, s["train_seconds"] * 1000 / s["meta_steps"], p))
print("| run | ms/step | " + " | ".join(phases) + " |")
print("| --- | ---: | " + " | ".join("---:" for _ in phases) + " |")
for name, total, p in rows:
    print(f"| {name} | {total:.1f} | " + " | ".join(f"{p[k]:.2f}" if k in p else "" for k in phases) + " |")
EOF
