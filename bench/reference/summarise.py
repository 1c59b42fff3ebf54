#!/usr/bin/python3
"""Prints a Markdown summary of the JSON files that run_all.sh wrote into DIR."""

import glob
import json
import os
import statistics
import sys


def main(directory):
    runs = []
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        with open(path) as f:
            runs.append(json.load(f))
    env = next((r["environment"] for r in runs), {})
    print(f"torch {env.get('torch')}, threads {env.get('threads')}/{env.get('interop_threads')} (intra/inter-op), "
          f"CPU {env.get('cpu_model')}, {env.get('cores')} cores\n")
    print("| config | impl | tasks/s (median) | tasks/s excl. sampling | ms/step | reps (tasks/s) | steps x reps | load avg before -> after |")
    print("| --- | --- | ---: | ---: | ---: | --- | --- | --- |")
    for r in runs:
        if r["mode"] != "throughput":
            continue
        reps = ", ".join(f"{x['tasks_per_s']:.1f}" for x in r["repetitions"])
        print(f"| {r['config']} | {r['impl']} | {r['tasks_per_s_median']:.1f} | "
              f"{r['tasks_per_s_excluding_sampling_median']:.1f} | {r['step_ms_median']:.1f} | {reps} | "
              f"{r['steps_per_repeat']} x {r['repeats']} | {r['load_average_before'][0]:.1f} -> {r['load_average_after'][0]:.1f} |")
    trains = [r for r in runs if r["mode"] == "train"]
    if trains:
        steps = sorted({k for r in trains for k in r["evaluation"]["query_mse_after_inner_steps"]}, key=int)
        print("\n| train run | seed | meta-steps | tasks/s | " + " | ".join(f"MSE after {s}" for s in steps) + " |")
        print("| --- | --- | ---: | ---: | " + " | ".join("---:" for _ in steps) + " |")
        for r in trains:
            e = r["evaluation"]["query_mse_after_inner_steps"]
            cells = " | ".join(f"{e[s]['mean']:.3f} ± {e[s]['ci95']:.3f}" for s in steps)
            print(f"| {r['config']} {r['impl']} | {r['seed']} | {r['meta_steps']} | {r['tasks_per_s']:.0f} | {cells} |")
        batched = [r for r in trains if r["impl"] == "batched"]
        if len(batched) > 1:
            cells = []
            for s in steps:
                means = [r["evaluation"]["query_mse_after_inner_steps"][s]["mean"] for r in batched]
                cells.append(f"{statistics.mean(means):.3f} (sd {statistics.stdev(means):.3f}, "
                             f"{min(means):.3f}-{max(means):.3f})")
            print(f"| batched, across {len(batched)} seeds: mean of means (sd, range) | | | | " + " | ".join(cells) + " |")
    for r in runs:
        if r["mode"] == "check":
            print(f"\nself-check (float64, tolerance {r['tolerance']}): {'PASS' if r['pass'] else 'FAIL'}")
            for c in r["cases"]:
                print(f"- {c['config']} {json.dumps(c['overrides'])} {c['impl']}: relative error "
                      f"{c['relative_error_norm']:.2e} (norm), {c['relative_error_max']:.2e} (max)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
