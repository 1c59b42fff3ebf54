#!/usr/bin/env bash
# The device script of the GPU bundle (Deploy/gpu/bundle.sh writes it into the bundle; docs/gpu.md).
# Run from the repository root of a GPU machine's copy, bundle in .gpu-bundle:
#   .gpu-bundle/run.sh                 CUDA: everything below on cuda:0, results under $OUT
#   .gpu-bundle/run.sh --cpu --quick   the same path on the CPU with tiny sizes (what CI runs)
# Steps, each logged to $OUT/NAME.log and listed in $OUT/steps.tsv (a failed step does not stop the
# next; the exit code is 1 when any failed, 2 on a usage error):
#   unpack     app.tar.xz into $BUNDLE_WORK (default: the bundle's work/)
#   torch      find libtorch: Python's torch (python3 -c 'import torch'); with --cpu, LIBTORCH_LIB or
#              the CPU libtorch of the NuGet cache when Python has no torch
#   shim       ldd -r the shipped libLibTorchSharp.so against that libtorch; when a symbol or library
#              is missing (or --force-build), build it from native/ with CMake and use that one
#   gradcheck  Bench --suite gradcheck: smoke test (second-order gradient on the device), then the
#              meta-gradient on the device vs the CPU, float32
#   train-sinusoid, train-omniglot   the embedded `train` on the device
#   throughput Bench --suite throughput, omniglot-maml at meta-batch 32,128,512 vs the PyTorch reference
# Options: --cpu, --quick, --force-build, --steps a,b,... (default all), --device D (default cuda:0).
set -uo pipefail

bundle=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cpu=0; quick=0; force_build=0; steps="torch,shim,gradcheck,train-sinusoid,train-omniglot,throughput"; device=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu) cpu=1; shift ;;
    --quick) quick=1; shift ;;
    --force-build) force_build=1; shift ;;
    --steps) steps="${2:?--steps needs a list}"; shift 2 ;;
    --device) device="${2:?--device needs cpu, cuda or cuda:N}"; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$device" ] || { [ $cpu = 1 ] && device=cpu || device=cuda:0; }
OUT=${OUT:-$bundle/out}
work=${BUNDLE_WORK:-$bundle/work}
mkdir -p "$OUT" "$work"
OUT=$(cd "$OUT" && pwd)
app="$work/app"
printf 'step\tstatus\tseconds\tnote\n' > "$OUT/steps.tsv"
failed=0

# record NAME STATUS SECONDS NOTE
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$OUT/steps.tsv"; echo "== $1: $2 ($3 s) $4"; [ "$2" != FAIL ] || failed=1; }
wanted() { case ",$steps," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
# run_step NAME LIMIT_SECONDS COMMAND...: runs it with its output in $OUT/NAME.log
run_step() {
  local name=$1 limit=$2; shift 2
  wanted "$name" || return 0
  local start=$SECONDS
  if timeout --kill-after=10 "$limit" "$@" > "$OUT/$name.log" 2>&1; then
    record "$name" PASS $((SECONDS - start)) ""
  else
    local rc=$?
    record "$name" FAIL $((SECONDS - start)) "exit $rc: $(grep -v '^\s*$' "$OUT/$name.log" | tail -1 | tr '\t' ' ' | cut -c1-300)"
  fi
}

# --- unpack ------------------------------------------------------------------------------------
start=$SECONDS
if [ ! -x "$app/Coordinator" ] || [ "$bundle/app.tar.xz" -nt "$app/Coordinator" ]; then
  rm -rf "$app" && mkdir -p "$app"
  if ! tar -C "$app" -xJf "$bundle/app.tar.xz" 2>"$OUT/unpack.log"; then
    python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$bundle/app.tar.xz" "$app" 2>>"$OUT/unpack.log" \
      || { record unpack FAIL $((SECONDS - start)) "$(tail -1 "$OUT/unpack.log")"; exit 1; }
  fi
fi
record unpack PASS $((SECONDS - start)) "$app"

# --- torch: which libtorch -----------------------------------------------------------------------
start=$SECONDS
torch_dir=$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))' 2>/dev/null || true)
# On the CPU path an older Python torch (its libtorch predates the 2.10 the shim is built for) is
# passed over for the NuGet CPU libtorch; a GPU machine's torch is used whatever its version.
if [ -n "$torch_dir" ] && [ $cpu = 1 ] && ! python3 -c 'import sys, torch; v = tuple(int(p) for p in torch.__version__.split("+")[0].split(".")[:2]); sys.exit(0 if v >= (2, 10) else 1)' 2>/dev/null; then
  torch_dir=""
fi
torch_lib=""; torch_cmake=""
if [ -n "$torch_dir" ]; then
  torch_lib="$torch_dir/lib"; torch_cmake="$torch_dir/share/cmake/Torch"
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(), "devices", torch.cuda.device_count())' > "$OUT/torch.log" 2>&1
elif [ $cpu = 1 ]; then
  torch_lib=${LIBTORCH_LIB:-$(ls -d "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/libtorch-cpu-linux-x64/*/runtimes/linux-x64/native 2>/dev/null | tail -1)}
  echo "no Python torch; the CPU libtorch at $torch_lib (no CMake config: the shim cannot be rebuilt)" > "$OUT/torch.log"
fi
if [ -z "$torch_lib" ] || [ ! -e "$torch_lib/libtorch_cpu.so" ]; then
  record torch FAIL $((SECONDS - start)) "no libtorch found: python3 -c 'import torch' failed$([ $cpu = 1 ] && echo ', and LIBTORCH_LIB or the NuGet CPU libtorch is not there')"
  exit 1
fi
if [ "$device" != cpu ] && [ ! -e "$torch_lib/libtorch_cuda.so" ]; then
  record torch FAIL $((SECONDS - start)) "$torch_lib has no libtorch_cuda.so: this torch is a CPU build"
  exit 1
fi
record torch PASS $((SECONDS - start)) "$torch_lib"
export LD_LIBRARY_PATH="$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
command -v nvidia-smi >/dev/null && nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1

# --- shim: does libLibTorchSharp.so resolve against it? -------------------------------------------
start=$SECONDS
unresolved() { ldd -r "$1" 2>&1 | grep -E 'undefined symbol|not found' | grep -v 'GLIBCXX_3.4.32' ; }
# A shim built on an earlier run (its $OUT/libLibTorchSharp.so, put into the bundle's shim/) is tried first.
if [ -f "$bundle/shim/libLibTorchSharp.so" ] && [ $force_build = 0 ] && [ -z "$(unresolved "$bundle/shim/libLibTorchSharp.so")" ]; then
  cp "$bundle/shim/libLibTorchSharp.so" "$app/libLibTorchSharp.so"
fi
unresolved "$app/libLibTorchSharp.so" > "$OUT/shim-ldd.txt"
if [ ! -s "$OUT/shim-ldd.txt" ] && [ $force_build = 0 ]; then
  record shim PASS $((SECONDS - start)) "the shipped shim resolves against $torch_lib"
elif [ -z "$torch_cmake" ] || [ ! -d "$torch_cmake" ]; then
  record shim FAIL $((SECONDS - start)) "$(wc -l < "$OUT/shim-ldd.txt") unresolved in the shipped shim, and no Torch CMake config to build one"
  exit 1
else
  build="$work/shim-build"
  if { cmake -S "$bundle/native" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTorch_DIR="$torch_cmake" \
         -DCMAKE_PREFIX_PATH="$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')" \
       && cmake --build "$build" -j "$(nproc)"; } > "$OUT/shim-build.log" 2>&1 \
     && built=$(find "$build" -name libLibTorchSharp.so | head -1) && [ -n "$built" ]; then
    cp "$app/libLibTorchSharp.so" "$work/libLibTorchSharp.shipped.so" 2>/dev/null
    cp "$built" "$app/libLibTorchSharp.so"
    cp "$built" "$OUT/libLibTorchSharp.so"
    unresolved "$app/libLibTorchSharp.so" > "$OUT/shim-ldd-built.txt"
    if [ -s "$OUT/shim-ldd-built.txt" ]; then
      record shim FAIL $((SECONDS - start)) "the built shim still has $(wc -l < "$OUT/shim-ldd-built.txt") unresolved"; exit 1
    fi
    record shim PASS $((SECONDS - start)) "built from native/ against $torch_cmake"
  else
    record shim FAIL $((SECONDS - start)) "build failed: $(tail -1 "$OUT/shim-build.log")"; exit 1
  fi
fi

# --- the checks --------------------------------------------------------------------------------
omniglot="$bundle/data/omniglot/images_background_small1.zip"
heldout="$bundle/data/omniglot/images_background_small2.zip"
if [ $quick = 1 ]; then
  tasks=2; sin_steps=3; omni_steps=1; omni_batch=2; batches=2; bench_quick=(--quick --warmup 1 --repeats 1 --target-seconds 0.05)
else
  tasks=8; sin_steps=2000; omni_steps=300; omni_batch=32; batches=32,128,512; bench_quick=(--warmup 5 --repeats 3 --target-seconds 1)
fi
run_step gradcheck 90 "$app/Bench" --suite gradcheck --device "$device" --tasks $tasks --omniglot-zip "$omniglot" --out "$OUT/gradcheck"
run_step train-sinusoid 90 "$app/Coordinator" train --task sinusoid --device "$device" --workers 1 --meta-steps $sin_steps \
  --eval-tasks $([ $quick = 1 ] && echo 4 || echo 600) --no-report --out "$OUT/train-sinusoid"
run_step train-omniglot 120 "$app/Coordinator" train --task images --data "$omniglot" --eval-data "$heldout" --ways 5 --shots 1 --query 15 \
  --meta-batch $omni_batch --inner-lr 0.4 --device "$device" --workers 1 --meta-steps $omni_steps \
  --eval-tasks $([ $quick = 1 ] && echo 2 || echo 100) --no-report --out "$OUT/train-omniglot"
run_step throughput 200 "$app/Bench" --suite throughput --configs omniglot-maml --device "$device" --meta-batch $batches \
  --omniglot-zip "$omniglot" "${bench_quick[@]}" --out "$OUT/throughput"

cat "$OUT/steps.tsv"
exit $failed
