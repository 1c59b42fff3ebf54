#!/usr/bin/env python3
"""Markdown table of an omniglot-suite.sh sweep: held-out accuracy (600 episodes), mean ± 95 % CI.

    /usr/bin/python3 bench/experiments/omniglot-suite-table.py OUT

For the gradient methods the row shows the accuracy after the last evaluated inner-step count
(MAML: 3 steps, MTL: 10 head steps) and, in brackets, the other counts; ProtoNet adapts nothing.
Wall time = meta-training seconds (train_seconds) and the whole run's seconds from its log.
"""
import json, os, re, sys

def main():
    out = sys.argv[1]
    rows = []
    for name in sorted(os.listdir(out)):
        m = re.fullmatch(r"(\d+)w(\d+)s-(\w+)-seed(\d+)", name)
        path = os.path.join(out, name, "summary.json")
        if not m or not os.path.exists(path):
            continue
        s = json.load(open(path))
        results = s["eval"]["results"]
        best = results[-1]
        others = ", ".join(f"k={p['inner_steps']}: {100 * float(p['mean']):.1f}" for p in results[:-1])
        rows.append((int(m[1]), int(m[2]), m[3], int(m[4]), best, others, s))
    order = {"protonet": 0, "fomaml": 1, "maml": 2, "mtl": 3}
    print("| episode | algorithm | accuracy % (600 episodes) | inner steps | other k | meta-steps × meta-batch | train min | tasks/s |")
    print("| --- | --- | ---: | ---: | --- | ---: | ---: | ---: |")
    for ways, shots, algorithm, seed, best, others, s in sorted(rows, key=lambda r: (r[0], r[1], order.get(r[2], 9))):
        print(f"| {ways}-way {shots}-shot | {algorithm} | {100 * float(best['mean']):.1f} ± {100 * float(best['ci95']):.1f} | "
              f"{best['inner_steps']} | {others or '—'} | {s['meta_steps']} × {s['meta_batch']} | {s['train_seconds'] / 60:.1f} | {s['tasks_per_second']:.1f} |")

if __name__ == "__main__":
    main()
