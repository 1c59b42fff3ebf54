#!/usr/bin/env bash
# Runs each Omniglot preset under configs/ as a user would (train on images_background_small1 with
# rotations, evaluate 600 episodes on the alphabets of images_background_small2 never seen in
# training) and prints the README's preset table from the runs' summary.json.
#
#   bench/experiments/presets.sh OUT [PRESET...]   (env: DATA, COORDINATOR, SEED)
#
# A finished run (summary.json present) is skipped, so the script can be resumed.
set -euo pipefail
out=${1:?usage: presets.sh OUT [PRESET...]}; shift
root=$(cd "$(dirname "$0")/../.." && pwd)
data=${DATA:-$root/../shared/data/omniglot}
coordinator=${COORDINATOR:-dotnet $root/Coordinator/bin/Release/net10.0/Coordinator.dll}
seed=${SEED:-0}
presets=("$@")
[ ${#presets[@]} -gt 0 ] || mapfile -t presets < <(cd "$root/configs" && ls omniglot-*.yaml | sed 's/\.yaml$//')
mkdir -p "$out"
for preset in "${presets[@]}"; do
  dir="$out/$preset"
  [[ -f $dir/summary.json ]] && continue
  echo "$(date +%T) $preset (load $(cut -d' ' -f1 /proc/loadavg))"
  # shellcheck disable=SC2086
  $coordinator train --config "$root/configs/$preset.yaml" --data "$data/images_background_small1.zip" \
    --eval-data "$data/images_background_small2.zip" --seed "$seed" --no-report --out "$dir" > "$dir.log" 2>&1 \
    || { echo "FAILED: $preset (see $dir.log)"; continue; }
done
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
print("| preset | accuracy % (600 episodes, 95 % CI) | inner steps | other k | evaluated | meta-steps × batch | train min |")
print("| --- | ---: | ---: | --- | --- | ---: | ---: |")
for name in sorted(os.listdir(out)):
    path = os.path.join(out, name, "summary.json")
    if not os.path.isfile(path): continue
    s = json.load(open(path))
    # The headline is the largest inner-step count the preset evaluates, fixed before the run.
    results = sorted(s["eval"]["results"], key=lambda r: r["inner_steps"])
    headline = results[-1]
    steps = s["meta_steps"]
    others = ", ".join(f"k={r['inner_steps']}: {100*r['mean']:.1f}" for r in results[:-1] if r.get("mean") is not None) or "—"
    print(f"| {name} | {100*headline['mean']:.1f} ± {100*headline['ci95']:.1f} | {headline['inner_steps']} | {others} | {s.get('evaluated_checkpoint') or 'final'} "
          f"| {steps} × {s['meta_batch']} | {s['train_seconds']/60:.1f} |")
PY
