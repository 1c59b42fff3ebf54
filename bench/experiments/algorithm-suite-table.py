#!/usr/bin/env python3
"""Markdown table of an algorithm-suite.sh sweep: query MSE after 1 and 10 inner steps, mean over seeds.

    /usr/bin/python3 bench/experiments/algorithm-suite-table.py OUT

Each cell is the mean over seeds of each run's evaluation mean (600 fresh tasks), ± the 95 %
confidence half-width over seeds: t(0.975, n-1) * sd / sqrt(n) (Student's t, since n is a handful
of seeds). A run whose evaluation mean is not finite (NaN: the inner loop diverged) is left out of
the mean; the cell says how many. --seeds adds a table of every run's value.
ms/step = meta-training time per step (train_seconds / meta_steps), median over seeds.
"""
import json, math, os, re, statistics, sys

T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}

def as_float(v):
    return float(v)  # "NaN" / "Infinity" are written as strings in summary.json

def cell(values):
    ok = [v for v in values if math.isfinite(v)]
    bad = len(values) - len(ok)
    if not ok:
        return f"NaN ({bad}/{len(values)})"
    mean = statistics.fmean(ok)
    ci = T975.get(len(ok) - 1, 1.96) * statistics.stdev(ok) / math.sqrt(len(ok)) if len(ok) > 1 else float("nan")
    text = f"{mean:.3f} ± {ci:.3f}"
    return text + (f" ({bad}/{len(values)} NaN)" if bad else "")

def main():
    out = sys.argv[1]
    runs = {}
    for name in sorted(os.listdir(out)):
        m = re.fullmatch(r"(\w+)-(\d+)shot-(\w+)-tr([\d.]+)-seed(\d+)", name)
        path = os.path.join(out, name, "summary.json")
        if not m or not os.path.exists(path):
            continue
        s = json.load(open(path))
        points = {p["inner_steps"]: as_float(p["mean"]) for p in s["eval"]["results"]}
        key = (m[1], int(m[2]), m[3], float(m[4]) > 0)
        runs.setdefault(key, []).append(dict(seed=int(m[5]), k1=points.get(1, math.nan), k10=points.get(10, math.nan),
                                             ms=s["train_seconds"] / s["meta_steps"] * 1000, lam=s.get("tr_lambda", 0)))
    lam = sorted({r["lam"] for v in runs.values() for r in v if r["lam"] > 0})
    print(f"Query MSE on 600 fresh tasks per run after 1 and 10 inner steps, mean over seeds ± 95 % CI over seeds "
          f"(Student's t); TR = TRLearner with λ = {', '.join(map(str, lam)) or '-'}; ms/step: median over seeds.\n")
    print("| task | shots | algorithm | k=1 | k=1, TR | k=10 | k=10, TR | seeds | ms/step | ms/step, TR |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |")
    order = {"maml": 0, "anil": 1, "metasgd": 2, "mtl": 3}
    for task, shots, algorithm in sorted({k[:3] for k in runs}, key=lambda t: (t[0] != "sinusoid", t[1], order.get(t[2], 9))):
        off, on = runs.get((task, shots, algorithm, False), []), runs.get((task, shots, algorithm, True), [])
        col = lambda rs, k: cell([r[k] for r in rs]) if rs else "—"
        ms = lambda rs: f"{statistics.median(r['ms'] for r in rs):.1f}" if rs else "—"
        seeds = ",".join(str(s) for s in sorted({r["seed"] for r in off + on}))
        print(f"| {task} | {shots} | {algorithm} | {col(off, 'k1')} | {col(on, 'k1')} | {col(off, 'k10')} | {col(on, 'k10')} | {seeds} | {ms(off)} | {ms(on)} |")

    if "--seeds" in sys.argv:
        print("\n| task | shots | algorithm | TR | k=1 per seed | k=10 per seed |")
        print("| --- | ---: | --- | --- | --- | --- |")
        for (task, shots, algorithm, tr), rs in sorted(runs.items(), key=lambda p: (p[0][0] != "sinusoid", p[0][1], order.get(p[0][2], 9), p[0][3])):
            rs = sorted(rs, key=lambda r: r["seed"])
            fmt = lambda k: ", ".join(f"{r[k]:.3f}" for r in rs)
            print(f"| {task} | {shots} | {algorithm} | {'yes' if tr else 'no'} | {fmt('k1')} | {fmt('k10')} |")

if __name__ == "__main__":
    main()
