using System.Globalization;
using MetaCluster.Bench.Loopback;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.DataPlane.Wire;

namespace MetaCluster.Bench.Capacity;

/// <summary>
/// <c>bench --suite capacity</c>: how many workers one coordinator can feed. A real coordinator data
/// plane (loopback Kestrel, the gRPC service, ordered gradient sum, Adam, parameter store) running
/// the product's meta-step, rounds and all (<see cref="CapacityRun"/>), against W simulated workers
/// in another process that compute nothing and send P-element gradients, over a grid of P × W.
/// Options: <c>capacity-params</c> (default 10k,100k,1M,10M,100M), <c>capacity-workers</c>
/// (8,32,64,128,256), <c>capacity-dtype</c> (f32; a list runs each), <c>capacity-compute-ms</c> (the
/// worker compute time assumed for the overhead figure, 200),
/// <c>capacity-steps</c> (measured steps per point; default the verb's repetitions),
/// <c>capacity-workers-per-process</c> (k workers share one parameter fetch, as GPUs of one worker
/// process share its cache; default 1, every worker fetches), <c>capacity-reduce-group</c> (g
/// workers pre-reduce into one gradient, as <c>train --reduce-group</c>; default 1),
/// <c>capacity-reduce-tree</c> (f groups meet at a relay, as <c>train --reduce-tree</c>; default 1),
/// <c>capacity-replay</c> (whether a relay whose result is the whole step replays Adam; default true).
/// </summary>
public sealed class CapacitySuite : IBenchSuite
{
    /// <inheritdoc/>
    public IReadOnlyList<BenchOption> SuiteOptions { get; } =
    [
        new("capacity-params", "capacity: parameter counts P (default 10k,100k,1M,10M,100M)"),
        new("capacity-workers", "capacity: simulated worker counts W (default 8,32,64,128,256)"),
        new("capacity-dtype", "capacity: gradient wire types (f32, bf16, f16)"),
        new("capacity-compute-ms", "capacity: assumed worker compute time per step for the overhead figure (default 200)"),
        new("capacity-steps", "capacity: measured meta-steps per point"),
        new("capacity-warmup-seconds", "capacity: unmeasured steps go on at least this long per point (default 15; tiered JIT compilation lasts seconds)"),
        new("capacity-workers-per-process", "capacity: simulated workers sharing one parameter fetch (default 1)"),
        new("capacity-reduce-group", "capacity: simulated workers pre-reducing their gradients into one (default 1)"),
        new("capacity-reduce-tree", "capacity: groups meeting at one relay, which sends one result and fetches θ once (default 1)"),
        new("capacity-replay", "capacity: whether a relay whose result is the whole step replays the Adam update instead of fetching θ (true, the default, or false)"),
    ];

    /// <inheritdoc/>
    public string Name => "capacity";

    /// <inheritdoc/>
    public string Description => "coordinator capacity: W simulated workers (no compute) × P-element gradients against a real data plane; meta-steps/s, GB/s folded, coordinator CPU, memory and overhead";

    /// <inheritdoc/>
    public async Task<IReadOnlyList<BenchFigure>> RunAsync(BenchSettings settings, TextWriter progress, CancellationToken cancellationToken)
    {
        var c = CultureInfo.InvariantCulture;
        var o = settings.Options;
        var elements = List(o, "capacity-params", settings.Quick ? "10k,100k" : "10k,100k,1M,10M,100M").Select(CapacityPoint.ParseCount).ToArray();
        var workers = List(o, "capacity-workers", settings.Quick ? "2,4" : "8,32,64,128,256").Select(s => int.Parse(s, c)).ToArray();
        var wireTypes = List(o, "capacity-dtype", "f32").Select(GradientCodec.Parse).ToArray();
        double computeMs = double.Parse(o.GetValueOrDefault("capacity-compute-ms", "200"), c);
        int steps = o.TryGetValue("capacity-steps", out var s) ? int.Parse(s, c) : settings.Quick ? 2 : Math.Max(1, settings.Repetitions);
        int warmup = settings.Quick ? 1 : Math.Max(1, settings.Warmup);
        var warmupTime = TimeSpan.FromSeconds(double.Parse(o.GetValueOrDefault("capacity-warmup-seconds", settings.Quick ? "0" : "15"), c));
        int perProcess = int.Parse(o.GetValueOrDefault("capacity-workers-per-process", "1"), c);
        int reduceGroup = int.Parse(o.GetValueOrDefault("capacity-reduce-group", "1"), c);
        int reduceTree = int.Parse(o.GetValueOrDefault("capacity-reduce-tree", "1"), c);
        if (!bool.TryParse(o.GetValueOrDefault("capacity-replay", "true"), out bool replay)) throw new ArgumentException("capacity-replay must be true or false");
        if (perProcess < 1 || reduceGroup < 1 || reduceTree < 1) throw new ArgumentException("capacity-workers-per-process, capacity-reduce-group and capacity-reduce-tree must be positive");
        if (workers.Any(w => w < 1) || steps < 1 || computeMs < 0) throw new ArgumentException("capacity-workers and capacity-steps must be positive, capacity-compute-ms not negative");
        if (settings.Threads > 0) TorchSharp.torch.set_num_threads(settings.Threads);

        var figures = new List<BenchFigure>();
        await using var plane = await LoopbackDataPlane.StartAsync(cancellationToken);
        foreach (var wireType in wireTypes)
        foreach (int p in elements)
        foreach (int w in workers)
        {
            int group = Math.Min(reduceGroup, w);
            var point = new CapacityPoint(p, w, wireType, perProcess, group, Math.Clamp(reduceTree, 1, Math.Max(1, w / group)), replay);
            long needed = MemoryBudget.Predicted(point, int.MaxValue);
            long available = MemoryBudget.Available();
            if (needed > MemoryBudget.Share * available)
            {
                string why = string.Create(c, $"skipped: needs about {needed / 1e9:0.0} GB (θ, Adam state and up to W gradients of a step held at once), {available / 1e9:0.0} GB available");
                progress.WriteLine($"capacity P={CapacityPoint.FormatCount(p)} W={w}: {why}");
                figures.Add(new BenchFigure(Name, "skipped", point.Configuration, "GB needed", needed / 1e9, [needed / 1e9], Note: why));
                continue;
            }
            progress.WriteLine(string.Create(c, $"capacity P={CapacityPoint.FormatCount(p)} W={w} {GradientCodec.Name(wireType)}: at least {warmup} warm-up steps and {warmupTime.TotalSeconds:0} s, then {steps} measured steps"));
            var m = await CapacityRun.MeasureAsync(plane, point, warmup, steps, cancellationToken, warmupTime);
            var f = CapacityFigures.From(Name, m, computeMs);
            figures.AddRange(f);
            progress.WriteLine("  " + string.Join("; ", f.Select(x => string.Create(c, $"{x.Name} {x.Median:0.###} {x.Unit}"))));
        }
        return figures;
    }

    private static string[] List(IReadOnlyDictionary<string, string> options, string name, string fallback) =>
        options.GetValueOrDefault(name, fallback).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
