#!/bin/bash
# More measured steps per point than run.sh (the machine was shared: its load average moved between
# about 5 and 17 during these runs), and a point of small gradients and many units (10k × 64, no
# groups), where the rounds' and control messages' cost per assignment is most of the coordinator's
# work. Same BEFORE and AFTER builds as run.sh; three interleaved rounds.
set -u
O=bench/results/capacity-rounds-20261207
BEFORE="dotnet /tmp/bench-before/Bench.dll"
AFTER="dotnet /tmp/bench-after/Bench.dll"
TREE="--suite capacity --capacity-params 1M --capacity-workers 64 --capacity-reduce-group 8 --capacity-reduce-tree 8 --capacity-steps 300"
STAR="--suite capacity --capacity-params 1M --capacity-workers 8 --capacity-steps 100"
SMALL="--suite capacity --capacity-params 10k --capacity-workers 64 --capacity-steps 300"
for round in 1 2 3; do
  echo "uptime: $(uptime)"
  $BEFORE $TREE --out $O/more/tree8-before-round$round
  $AFTER $TREE --out $O/more/tree8-after-round$round
  $BEFORE $STAR --out $O/more/star8-before-round$round
  $AFTER $STAR --out $O/more/star8-after-round$round
  $BEFORE $SMALL --out $O/more/small64-before-round$round
  $AFTER $SMALL --out $O/more/small64-after-round$round
done
echo "uptime: $(uptime)"
