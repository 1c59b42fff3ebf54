#!/bin/bash
# The figures of this folder: the tree at 64 GPUs × 1M, relay replaying vs fetching θ, f32 and bf16,
# three interleaved rounds (the VM's noise moves a point by about 1 ms between minutes); then 256 GPUs
# and a single worker once. Run from the repository root after `dotnet build -c Release bench/Bench`.
set -u
O=bench/results/capacity-replay-20261201
R="dotnet bench/Bench/bin/Release/net10.0/Bench.dll"  # was bench/SuiteRunner, folded into the benchmark tool (it writes bench.json and bench.md)
T="--suite capacity --capacity-params 1M --warmup 2"
TREE="--capacity-workers 64 --capacity-workers-per-process 8 --capacity-reduce-group 8 --capacity-reduce-tree 8"
for round in 1 2 3; do
  for dtype in f32 bf16; do
    $R $T $TREE --capacity-dtype $dtype --repeats 300 --out $O/tree8-replay-$dtype-round$round
    $R $T $TREE --capacity-dtype $dtype --capacity-replay false --repeats 300 --out $O/tree8-fetch-$dtype-round$round
  done
done
$R $T --capacity-workers 256 --capacity-workers-per-process 8 --capacity-reduce-group 8 --capacity-reduce-tree 32 --repeats 60 --out $O/tree32-256-replay-f32
$R $T --capacity-workers 1 --repeats 300 --out $O/single-f32
