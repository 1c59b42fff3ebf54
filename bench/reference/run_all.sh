#!/bin/sh
# Runs the self-check, every throughput config (loop and batched), and the sinusoid training
# runs; one JSON per run in DIR (default bench/reference/results/<host>-<date>), plus uptime.log.
# Usage: bench/reference/run_all.sh [DIR]
# env: PY, THREADS, WARMUP, REPEATS, TARGET_SECONDS; CHECK=0 skips the self-check;
#      CONFIGS="sinusoid-maml ..." picks throughput configs; TRAIN_SEEDS="0 1 2" ("" for none);
#      TRAIN_LOOP=0 skips the loop-implementation training run.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PY:-/usr/bin/python3}
THREADS=${THREADS:-1}; WARMUP=${WARMUP:-20}; REPEATS=${REPEATS:-5}; TARGET_SECONDS=${TARGET_SECONDS:-5}
CONFIGS=${CONFIGS:-sinusoid-maml sinusoid-fomaml omniglot-maml omniglot-fomaml omniglot-protonet}
TRAIN_SEEDS=${TRAIN_SEEDS-0 1 2}; CHECK=${CHECK:-1}; TRAIN_LOOP=${TRAIN_LOOP:-1}
DIR=${1:-$HERE/results/$(hostname)-$(date +%Y%m%d-%H%M)}
mkdir -p "$DIR"
log() { echo "$(date +%T) $*  |$(uptime)" | tee -a "$DIR/uptime.log" >&2; }

if [ "$CHECK" = 1 ]; then
  log check
  "$PY" "$HERE/maml_reference.py" --check --threads "$THREADS" --out "$DIR/check.json" >/dev/null
fi

for config in $CONFIGS; do
  for impl in loop batched; do
    log "$config $impl"
    "$PY" "$HERE/maml_reference.py" --config "$config" --impl "$impl" --threads "$THREADS" \
      --warmup "$WARMUP" --repeats "$REPEATS" --steps 0 --target-seconds "$TARGET_SECONDS" \
      --out "$DIR/$config-$impl.json" >/dev/null
  done
done

for seed in $TRAIN_SEEDS; do
  log "train sinusoid-maml batched seed $seed"
  "$PY" "$HERE/maml_reference.py" --train --config sinusoid-maml --impl batched --seed "$seed" \
    --threads "$THREADS" --meta-steps 2000 --out "$DIR/train-sinusoid-maml-batched-seed$seed.json" >/dev/null
done
if [ "$TRAIN_LOOP" = 1 ]; then
  log "train sinusoid-maml loop seed 0"
  "$PY" "$HERE/maml_reference.py" --train --config sinusoid-maml --impl loop --seed 0 \
    --threads "$THREADS" --meta-steps 2000 --out "$DIR/train-sinusoid-maml-loop-seed0.json" >/dev/null
fi
log done
"$PY" "$HERE/summarise.py" "$DIR"
