#!/bin/bash
# Before/after the capacity suite drove the real rounds, three interleaved rounds. BEFORE is a build of
# 0566694 (the re-implemented loop), AFTER a build of a9caf11; each ran from a copy of its
# bench/Bench/bin/Release/net10.0 (the load process is the same program, next to it), made with
# `dotnet build Cluster.sln -c Release` at that commit and `cp -r bench/Bench/bin/Release/net10.0 /tmp/bench-before`
# (or /tmp/bench-after). The AFTER points are what `dotnet run -c Release --project bench/Bench -- <args>` runs.
set -u
O=bench/results/capacity-rounds-20261207
BEFORE="dotnet /tmp/bench-before/Bench.dll"
AFTER="dotnet /tmp/bench-after/Bench.dll"
TREE="--suite capacity --capacity-params 1M --capacity-workers 64 --capacity-reduce-group 8 --capacity-reduce-tree 8 --capacity-steps 20"
STAR="--suite capacity --capacity-params 1M --capacity-workers 8 --capacity-steps 20"
for round in 1 2 3; do
  echo "uptime: $(uptime)"
  $BEFORE $TREE --out $O/tree8-before-round$round
  $AFTER $TREE --out $O/tree8-after-round$round
  $BEFORE $STAR --out $O/star8-before-round$round
  $AFTER $STAR --out $O/star8-after-round$round
done
echo "uptime: $(uptime)"
