using System.Globalization;
using MetaCluster.Bench.Measurement;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Abstractions;

namespace MetaCluster.Bench.Throughput;

/// <summary>
/// One of the benchmark configurations of <c>bench/reference/README.md</c>, as a run definition
/// with the same settings as the PyTorch reference's <c>--config</c> of that name.
/// </summary>
/// <param name="Name">The configuration's name, shared with the reference.</param>
/// <param name="Run">The run's definition (meta-steps are set by whoever measures it).</param>
/// <param name="Model">The model, in words.</param>
public sealed record BenchConfiguration(string Name, RunDefinition Run, string Model)
{
    /// <summary>The configuration names, in the order the throughput suite runs them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["sinusoid-maml", "sinusoid-fomaml", "omniglot-maml", "omniglot-fomaml", "omniglot-protonet"];

    /// <summary>Omniglot meta-steps take seconds on a small CPU: at most this many warm-up steps …</summary>
    public const int OmniglotWarmup = 1;

    /// <summary>… and this many repetitions keep a suite in minutes.</summary>
    public const int OmniglotRepetitions = 3;

    /// <summary>How to measure this configuration: the settings' warm-up and repetitions, capped for Omniglot.</summary>
    public BenchPlan Plan(BenchSettings settings, double targetSeconds) => IsOmniglot
        ? new BenchPlan(Math.Min(settings.Warmup, OmniglotWarmup), Math.Min(settings.Repetitions, OmniglotRepetitions), targetSeconds)
        : new BenchPlan(settings.Warmup, settings.Repetitions, targetSeconds);

    /// <summary>True for the configurations that read Omniglot images.</summary>
    public bool IsOmniglot => Run.Task == "images";

    /// <summary>
    /// The configuration called <paramref name="name"/>; the Omniglot ones read
    /// <paramref name="omniglot"/> (nothing is evaluated, so its held-out set only keeps the task
    /// family's split away from the meta-training classes).
    /// </summary>
    public static BenchConfiguration Create(string name, OmniglotSources? omniglot) => name switch
    {
        "sinusoid-maml" => Sinusoid(name, "maml"),
        "sinusoid-fomaml" => Sinusoid(name, "fomaml"),
        "omniglot-maml" => Omniglot(name, "maml", omniglot),
        "omniglot-fomaml" => Omniglot(name, "fomaml", omniglot),
        "omniglot-protonet" => Omniglot(name, "protonet", omniglot),
        _ => throw new ArgumentException($"unknown benchmark configuration '{name}' (expected one of: {string.Join(", ", Names)})"),
    };

    /// <summary>The same configuration with <c>--kernels</c> set.</summary>
    public BenchConfiguration WithKernels(string kernels) => this with { Run = Run with { Kernels = kernels } };

    /// <summary>The same configuration with another meta-batch (tasks per meta-step).</summary>
    public BenchConfiguration WithMetaBatch(int metaBatch) => this with { Run = Run with { MetaBatch = metaBatch } };

    /// <summary>The settings as the figure's configuration.</summary>
    public Dictionary<string, string> Describe()
    {
        var c = CultureInfo.InvariantCulture;
        var r = Run;
        return new()
        {
            ["model"] = Model,
            ["kernels"] = r.Kernels,
            ["meta_batch"] = r.MetaBatch.ToString(c),
            ["episode"] = IsOmniglot ? $"{r.Ways}-way {r.Shots}-shot, {r.Query} query/class" : $"{r.Shots}-shot, {r.Query} query",
            ["inner"] = r.Algorithm == "protonet" ? "none"
                : string.Create(c, $"{r.InnerSteps} step, lr {r.InnerLr}, {(r.Algorithm == "fomaml" ? "first" : "second")} order"),
        };
    }

    private static BenchConfiguration Sinusoid(string name, string algorithm) => new(name, new RunDefinition
    {
        Task = "sinusoid", Algorithm = algorithm, Ways = 1, Shots = 5, Query = 10, MetaBatch = 25,
        InnerSteps = 1, InnerLr = 0.01, OuterLr = 0.001, Seed = 0, Workers = 1, Shards = 1,
    }, "MLP 1-40-40-1");

    private static BenchConfiguration Omniglot(string name, string algorithm, OmniglotSources? omniglot)
    {
        if (omniglot is null) throw new ArgumentException($"configuration {name} needs the Omniglot images (--omniglot-zip)");
        bool proto = algorithm == "protonet";
        return new(name, new RunDefinition
        {
            Task = "images", Algorithm = algorithm, Ways = 5, Shots = 1, Query = 15, MetaBatch = 32,
            InnerSteps = proto ? 0 : 1, InnerLr = 0.4, OuterLr = 0.001, Seed = 0, Workers = 1, Shards = 1,
            Data = [omniglot.Train], EvalData = omniglot.HeldOut is null ? [] : [omniglot.HeldOut], Rotations = false,
        }, proto ? "CNN-4 body" : "CNN-4 + linear 64→5");
    }
}
