#!/usr/bin/python3
"""Plain-PyTorch reference for the meta-training benchmarks (see README.md beside this file).

Modes (JSON on stdout, and in --out FILE if given):
  default   throughput: warm-up, then --repeats timed repetitions of --steps meta-steps;
            tasks/s = steps * meta-batch / seconds, median over the repetitions.
  --train   sinusoid only: a full meta-training run, then the evaluation protocol
            (fresh tasks, plain-SGD adaptation, query MSE mean and 95% CI).
  --check   float64: meta-gradient of the batched implementation vs the loop one.
"""

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ref_algorithms import make_step, mse_per_task  # noqa: E402
import ref_models  # noqa: E402
from ref_models import init_cnn4, init_mlp, mlp_batched  # noqa: E402
from ref_tasks import DEFAULT_OMNIGLOT_ZIP, OmniglotTasks, SinusoidTasks, load_omniglot  # noqa: E402

SINUSOID = dict(family="sinusoid", meta_batch=25, shots=5, query=10, inner_steps=1, inner_lr=0.01, outer_lr=0.001)
OMNIGLOT = dict(family="omniglot", meta_batch=32, ways=5, shots=1, query=15, inner_steps=1, inner_lr=0.4, outer_lr=0.001)

CONFIGS = {
    "sinusoid-maml": dict(SINUSOID, algorithm="maml"),
    "sinusoid-fomaml": dict(SINUSOID, algorithm="fomaml"),
    "omniglot-maml": dict(OMNIGLOT, algorithm="maml"),
    "omniglot-fomaml": dict(OMNIGLOT, algorithm="fomaml"),
    "omniglot-protonet": dict(OMNIGLOT, algorithm="protonet", inner_steps=0, inner_lr=None),
}
for _name, _config in CONFIGS.items():
    _config["name"] = _name


# ----- environment ------------------------------------------------------------------------------

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def environment(threads):
    cuda = torch.cuda.is_available()
    return {
        "cuda": torch.version.cuda if cuda else None,
        "gpu": torch.cuda.get_device_name(0) if cuda else None,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "requested_threads": threads,
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "load_average": list(os.getloadavg()),
    }


# ----- models and samplers ----------------------------------------------------------------------

_omniglot_cache = {}


def omniglot_images(path):
    if path not in _omniglot_cache:
        _omniglot_cache[path] = load_omniglot(path)
    return _omniglot_cache[path]


def make_theta(config, seed, dtype):
    if config["family"] == "sinusoid":
        return init_mlp([1, 40, 40, 1], seed, dtype)
    return init_cnn4(seed, ways=config["ways"], head=config["algorithm"] != "protonet", dtype=dtype)


def make_sampler(config, seed, dtype, omniglot_zip):
    if config["family"] == "sinusoid":
        s = SinusoidTasks(seed, dtype)
        return lambda: s.sample(config["meta_batch"], config["shots"], config["query"])
    s = OmniglotTasks(omniglot_images(omniglot_zip), seed, dtype)
    return lambda: s.sample(config["meta_batch"], config["ways"], config["shots"], config["query"])


def settings(config):
    return {k: v for k, v in config.items() if k != "name"}


# ----- throughput -------------------------------------------------------------------------------

def on_device(config, seed, omniglot_zip, device):
    """theta (leaves on the device, initialised on the CPU as everywhere else) and a sampler whose
    tasks are drawn on the CPU with numpy, as before, and copied to the device."""
    theta = [p.detach().to(device).requires_grad_(True) for p in make_theta(config, seed, torch.float32)]
    sample = make_sampler(config, [seed, 0], torch.float32, omniglot_zip)
    if device.type == "cpu":
        return theta, sample
    return theta, lambda: tuple(t.to(device) for t in sample())


def benchmark(config, impl, warmup, steps, repeats, seed, target_seconds, omniglot_zip, device):
    data_seconds = 0.0
    if config["family"] == "omniglot":
        start = time.perf_counter()
        omniglot_images(omniglot_zip)
        data_seconds = time.perf_counter() - start
    theta, sample = on_device(config, seed, omniglot_zip, device)
    optimiser = torch.optim.Adam(theta, lr=config["outer_lr"])
    step_fn = make_step(config, impl)
    cuda = device.type == "cuda"
    if cuda:
        torch.cuda.reset_peak_memory_stats(device)

    def one_step():
        t0 = time.perf_counter()
        batch = sample()
        t1 = time.perf_counter()
        optimiser.zero_grad(set_to_none=True)
        loss = step_fn(theta, batch)
        optimiser.step()
        if cuda:  # the step's kernels finish inside its time (the loss's .item() waits for the outer loss only)
            torch.cuda.synchronize(device)
        return loss, t1 - t0

    load_before = list(os.getloadavg())
    warm_times = []
    for _ in range(warmup):
        t0 = time.perf_counter()
        one_step()
        warm_times.append(time.perf_counter() - t0)
    auto_steps = steps <= 0
    if auto_steps:
        recent = warm_times[len(warm_times) // 2:] or [None]
        if recent[0] is None:  # no warm-up to calibrate from: time one step
            t0 = time.perf_counter(); one_step(); recent = [time.perf_counter() - t0]
        steps = max(1, math.ceil(target_seconds / statistics.median(recent)))

    reps = []
    for _ in range(repeats):
        sampling = 0.0
        losses = []
        t0 = time.perf_counter()
        for _ in range(steps):
            loss, s = one_step()
            sampling += s
            losses.append(loss)
        seconds = time.perf_counter() - t0
        tasks = steps * config["meta_batch"]
        reps.append({
            "seconds": seconds,
            "sampling_seconds": sampling,
            "tasks_per_s": tasks / seconds,
            "tasks_per_s_excluding_sampling": tasks / (seconds - sampling),
            "mean_outer_loss": float(np.mean(losses)),
        })
    return {
        "mode": "throughput",
        "config": config["name"],
        "impl": impl,
        "settings": settings(config),
        "seed": seed,
        "warmup_steps": warmup,
        "steps_per_repeat": steps,
        "steps_auto": auto_steps,
        "repeats": repeats,
        "tasks_per_s_median": statistics.median(r["tasks_per_s"] for r in reps),
        "tasks_per_s_excluding_sampling_median": statistics.median(r["tasks_per_s_excluding_sampling"] for r in reps),
        "step_ms_median": 1000.0 * statistics.median(r["seconds"] for r in reps) / steps,
        "repetitions": reps,
        "data_decode_seconds": data_seconds,
        "device": str(device),
        "gpu_max_memory_allocated_bytes": torch.cuda.max_memory_allocated(device) if cuda else None,
        "gpu_max_memory_reserved_bytes": torch.cuda.max_memory_reserved(device) if cuda else None,
        "load_average_before": load_before,
        "load_average_after": list(os.getloadavg()),
    }


# ----- sinusoid training and evaluation ---------------------------------------------------------

def summarise(values):
    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    sd = float(values.std(ddof=1)) if n > 1 else 0.0
    return {"mean": float(values.mean()), "ci95": 1.96 * sd / math.sqrt(n), "n": n}


def evaluate_sinusoid(theta, config, seed, tasks, inner_steps_list, query):
    """Fresh tasks from their own RNG stream; each task adapts from theta with plain SGD
    (lr = inner lr) on its support set; the query MSE is recorded after each listed step count.
    All tasks adapt at once (batched), which is the same maths as a loop over tasks."""
    sx, sy, qx, qy = SinusoidTasks([seed, 1], torch.float32).sample(tasks, config["shots"], query)
    fast = [p.detach().unsqueeze(0).expand(tasks, *p.shape).clone().requires_grad_(True) for p in theta]
    results = {}
    most = max(inner_steps_list)
    for step in range(most + 1):
        if step in inner_steps_list:
            with torch.no_grad():
                results[str(step)] = summarise(mse_per_task(mlp_batched(fast, qx), qy).tolist())
        if step == most:
            break
        loss = mse_per_task(mlp_batched(fast, sx), sy).sum()
        grads = torch.autograd.grad(loss, fast)
        fast = [(w - config["inner_lr"] * g).detach().requires_grad_(True) for w, g in zip(fast, grads)]
    return results


def train(config, impl, meta_steps, seed, eval_tasks, eval_steps, eval_query, log_every):
    if config["family"] != "sinusoid":
        raise SystemExit("--train is implemented for the sinusoid configs only")
    theta = make_theta(config, seed, torch.float32)
    optimiser = torch.optim.Adam(theta, lr=config["outer_lr"])
    sample = make_sampler(config, [seed, 0], torch.float32, None)
    step_fn = make_step(config, impl)
    losses = []
    load_before = list(os.getloadavg())
    t0 = time.perf_counter()
    for step in range(1, meta_steps + 1):
        batch = sample()
        optimiser.zero_grad(set_to_none=True)
        losses.append(step_fn(theta, batch))
        optimiser.step()
        if log_every and step % log_every == 0:
            print(f"step {step}/{meta_steps} loss(last {log_every}) {np.mean(losses[-log_every:]):.4f}", file=sys.stderr)
    seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    evaluation = evaluate_sinusoid(theta, config, seed, eval_tasks, eval_steps, eval_query)
    return {
        "mode": "train",
        "config": config["name"],
        "impl": impl,
        "settings": settings(config),
        "seed": seed,
        "meta_steps": meta_steps,
        "train_seconds": seconds,
        "tasks_per_s": meta_steps * config["meta_batch"] / seconds,
        "final_train_loss_last100": float(np.mean(losses[-100:])),
        "evaluation": {
            "tasks": eval_tasks, "shots": config["shots"], "query": eval_query,
            "inner_optimiser": f"plain SGD, lr {config['inner_lr']}",
            "query_mse_after_inner_steps": evaluation,
            "seconds": time.perf_counter() - t1,
        },
        "load_average_before": load_before,
        "load_average_after": list(os.getloadavg()),
    }


# ----- self-check -------------------------------------------------------------------------------

def meta_gradient(config, impl, theta, batch):
    for p in theta:
        p.grad = None
    loss = make_step(config, impl)(theta, batch)
    return loss, torch.cat([p.grad.reshape(-1) for p in theta])


def check(seed, omniglot_zip):
    """float64; meta-gradient of batched vs loop on the same theta and tasks."""
    tiny = dict(meta_batch=4, query=3)  # 5-way 1-shot, 3 query per class, 4 tasks
    cases = [
        ("sinusoid-maml", {}, "batched"),
        ("sinusoid-maml", {"inner_steps": 3}, "batched"),
        ("sinusoid-fomaml", {}, "batched"),
        ("omniglot-maml", tiny, "batched"),
        ("omniglot-fomaml", tiny, "batched"),
        ("omniglot-protonet", tiny, "batched"),
        ("omniglot-protonet", tiny, "batched-grouped"),
        # the loop with channels-last activations (--memory-format channels_last) against plain NCHW
        ("omniglot-maml", tiny, "loop_channels_last"),
        ("omniglot-protonet", tiny, "loop_channels_last"),
    ]
    results = []
    for name, overrides, impl in cases:
        config = dict(CONFIGS[name], **overrides)
        theta = make_theta(config, seed, torch.float64)
        batch = make_sampler(config, [seed, 2], torch.float64, omniglot_zip)()
        loss_loop, g_loop = meta_gradient(config, "loop", theta, batch)
        ref_models.CHANNELS_LAST = impl == "loop_channels_last"
        try:
            loss_batched, g_batched = meta_gradient(config, "loop" if ref_models.CHANNELS_LAST else impl, theta, batch)
        finally:
            ref_models.CHANNELS_LAST = False
        diff = (g_batched - g_loop)
        rel = float(diff.norm() / g_loop.norm())
        rel_max = float(diff.abs().max() / g_loop.abs().max())
        ok = rel <= 1e-6 and rel_max <= 1e-6
        results.append({
            "config": name, "overrides": overrides, "impl": impl, "dtype": "float64",
            "parameters": g_loop.numel(),
            "outer_loss_loop": loss_loop, "outer_loss_batched": loss_batched,
            "grad_norm": float(g_loop.norm()),
            "relative_error_norm": rel, "relative_error_max": rel_max,
            "pass": ok,
        })
        print(f"check {name:18s} {json.dumps(overrides):32s} {impl:16s} "
              f"|g|={float(g_loop.norm()):.4e} rel(norm)={rel:.2e} rel(max)={rel_max:.2e} "
              f"{'PASS' if ok else 'FAIL'}", file=sys.stderr)
    return {"mode": "check", "tolerance": 1e-6, "pass": all(r["pass"] for r in results), "cases": results}


# ----- CLI --------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", choices=sorted(CONFIGS), default="sinusoid-maml")
    ap.add_argument("--impl", choices=["loop", "batched", "batched-grouped"], default="batched",
                    help="batched-grouped: ProtoNet only (grouped convs like the MAML path)")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads and set_num_interop_threads")
    ap.add_argument("--warmup", type=int, default=20, help="untimed meta-steps before the repetitions")
    ap.add_argument("--steps", type=int, default=0, help="meta-steps per repetition; 0 = enough for --target-seconds")
    ap.add_argument("--target-seconds", type=float, default=5.0, help="with --steps 0: seconds per repetition")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--meta-batch", type=int, help="override the config's meta-batch")
    ap.add_argument("--query", type=int, help="override the config's query size (per class for Omniglot)")
    ap.add_argument("--omniglot-zip", default=DEFAULT_OMNIGLOT_ZIP)
    ap.add_argument("--memory-format", choices=["contiguous", "channels_last"], default="contiguous",
                    help="CNN-4 activations: NCHW (plain PyTorch, the default) or channels-last strides")
    ap.add_argument("--device", default="cpu", help="throughput: cpu, cuda or cuda:N (tasks are drawn on the CPU and copied)")
    ap.add_argument("--out", help="also write the JSON here")
    ap.add_argument("--train", action="store_true", help="sinusoid: meta-train, then evaluate")
    ap.add_argument("--meta-steps", type=int, default=2000)
    ap.add_argument("--eval-tasks", type=int, default=600)
    ap.add_argument("--eval-inner-steps", default="0,1,5,10")
    ap.add_argument("--eval-query", type=int, default=10)
    ap.add_argument("--log-every", type=int, default=0, help="--train: progress line on stderr every N steps")
    ap.add_argument("--check", action="store_true", help="float64 batched-vs-loop meta-gradient self-check")
    args = ap.parse_args(argv)

    if args.threads < 1:
        ap.error("--threads must be >= 1")
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(args.threads)
    ref_models.CHANNELS_LAST = args.memory_format == "channels_last"

    if args.impl == "batched-grouped" and args.config != "omniglot-protonet" and not args.check:
        ap.error("--impl batched-grouped is for --config omniglot-protonet only (MAML's batched path is already grouped)")
    if args.device != "cpu" and (args.train or args.check):
        ap.error("--device is for the throughput mode only")
    if args.train and not args.config.startswith("sinusoid"):
        ap.error("--train is implemented for the sinusoid configs only")
    config = dict(CONFIGS[args.config])
    if args.meta_batch:
        config["meta_batch"] = args.meta_batch
    if args.query:
        config["query"] = args.query

    if args.check:
        result = check(args.seed, args.omniglot_zip)
    elif args.train:
        steps = sorted({int(s) for s in args.eval_inner_steps.split(",") if s.strip()})
        result = train(config, args.impl, args.meta_steps, args.seed, args.eval_tasks, steps,
                       args.eval_query, args.log_every)
    else:
        result = benchmark(config, args.impl, args.warmup, args.steps, args.repeats, args.seed,
                           args.target_seconds, args.omniglot_zip, torch.device(args.device))
    result["environment"] = environment(args.threads)
    result["memory_format"] = args.memory_format
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    if args.check and not result["pass"]:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
