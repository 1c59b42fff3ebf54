#!/bin/bash
# Three more rounds of the two replay points (run after run.sh, to see the spread of the headline figures).
set -u
O=bench/results/capacity-replay-20261201
R="dotnet bench/Bench/bin/Release/net10.0/Bench.dll"  # was bench/SuiteRunner, folded into the benchmark tool (it writes bench.json and bench.md)
T="--suite capacity --capacity-params 1M --warmup 2"
TREE="--capacity-workers 64 --capacity-workers-per-process 8 --capacity-reduce-group 8 --capacity-reduce-tree 8"
for round in 4 5 6; do
  for dtype in f32 bf16; do
    $R $T $TREE --capacity-dtype $dtype --repeats 300 --out $O/tree8-replay-$dtype-round$round
  done
done
