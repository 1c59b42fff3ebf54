using MetaCluster.ServiceDefaults.Options;
using MetaCluster.Coordinator.Definitions;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Tasks;
using MetaCluster.DataPlane.Wire;
using MetaCluster.Abstractions;

namespace MetaCluster.Coordinator.Cli;

/// <summary>The options of <c>train</c>: the run's definition plus how the embedded cluster is laid out.</summary>
public sealed record TrainOptions(RunDefinition Run, int Threads, int? MetricsPort = null, bool TraceConsole = false, bool Report = true,
    bool InProcessDataPlane = true)
{
    /// <summary>Values of <c>--data-plane</c>: the service called in memory, or gRPC on loopback as between processes.</summary>
    public static readonly string[] DataPlanes = ["in-process", "grpc"];

    /// <summary>Options that take a value.</summary>
    public static readonly string[] Valued =
    [
        "task", "algorithm", "ways", "shots", "query", "meta-batch", "inner-steps", "inner-lr", "outer-lr",
        "meta-steps", "eval-tasks", "eval-inner-steps", "eval-query", "workers", "shards", "device", "seed", "out",
        "log-every", "threads", "shard-timeout", "checkpoint-every", "metrics-port",
        "data", "eval-data", "eval-groups", "eval-classes", "target",
        "tr-lambda", "tr-heads", "tr-tau", "tr-meta-data", "tr-sampler", "grad-dtype", "data-plane", "kernels",
        "reduce-group", "reduce-tree",
    ];

    /// <summary>Options without a value.</summary>
    public static readonly string[] Switches = ["resume", "rotations", "trace-console", "no-report"];

    /// <summary>
    /// Reads the options and checks them with the rules every run definition meets
    /// (<see cref="RunDefinitionRules"/>); throws <see cref="UsageException"/> naming the first bad
    /// one. What needs the data (paths, classes) is checked before the run starts (<see cref="RunDataChecks"/>).
    /// </summary>
    public static TrainOptions Parse(IEnumerable<string> args)
    {
        var o = new OptionReader(args, Valued, Switches);
        string task = o.Choice("task", "sinusoid", [.. TaskFamilyCatalog.Names]);
        string algorithm = o.Choice("algorithm", "maml", [.. AlgorithmCatalog.Names]);
        int workers = o.Int("workers", 2, 1, 1024);
        int metaBatch = o.Int("meta-batch", 25, 1, int.MaxValue);
        string? outDir = o.OptionalString("out");
        if (outDir is not null && string.IsNullOrWhiteSpace(outDir)) throw new UsageException("--out must name a directory");

        var run = new RunDefinition
        {
            Task = task,
            Algorithm = algorithm,
            Ways = o.Int("ways", 0, 1, 10_000),
            Shots = o.Int("shots", 5, 1, 100_000),
            Query = o.Int("query", 10, 1, 100_000),
            MetaBatch = metaBatch,
            InnerSteps = o.Int("inner-steps", 1, 0, 10_000),
            InnerLr = o.Double("inner-lr", 0.01, 0, 1e6, minExclusive: true),
            OuterLr = o.Double("outer-lr", 0.001, 0, 1e6, minExclusive: true),
            MetaSteps = o.Int("meta-steps", 2000, 1, 100_000_000),
            EvalTasks = o.Int("eval-tasks", 600, 0, 10_000_000),
            EvalInnerSteps = o.IntList("eval-inner-steps", [1, 10], 0, 10_000),
            EvalQuery = o.Int("eval-query", 0, 0, 100_000),
            Seed = o.UInt64("seed", 0),
            Shards = o.Int("shards", 0, 1, int.MaxValue),
            Workers = workers,
            Device = o.String("device", "cpu"),
            OutputDirectory = outDir ?? Path.Combine("runs", $"{DateTime.Now:yyyyMMdd-HHmmss}-{task}-{algorithm}"),
            LogEvery = o.Int("log-every", 10, 1, int.MaxValue),
            ShardTimeoutSeconds = o.Double("shard-timeout", 600, 0, 86_400, minExclusive: true),
            CheckpointEvery = o.Int("checkpoint-every", 100, 0, int.MaxValue),
            Resume = o.Switch("resume"),
            Data = [.. o.All("data")],
            EvalData = [.. o.All("eval-data")],
            EvalGroups = o.Has("eval-groups") ? o.String("eval-groups", "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [],
            EvalClasses = o.OptionalString("eval-classes"),
            Target = o.OptionalString("target"),
            Rotations = o.Switch("rotations"),
            TrLambda = o.Double("tr-lambda", 0, 0, 1e6),
            TrHeads = o.Int("tr-heads", 4, 1, 1024),
            TrTau = o.Double("tr-tau", 0.5, 0, 1e6, minExclusive: true),
            TrMetaData = o.Int("tr-meta-data", 5, 1, 100_000),
            TrSampler = o.Choice("tr-sampler", "hardest", ["hardest", "random"]),
            GradDtype = o.Choice("grad-dtype", "f32", [.. GradientCodec.Names]),
            Kernels = o.Choice("kernels", "fused", [.. AlgorithmCatalog.KernelChoices]),
            ReduceGroup = o.Int("reduce-group", 1, 1, 1_000_000),
            ReduceTree = o.Int("reduce-tree", 1, 1, 1_000_000),
        };
        run = ApiRunDefinitions.CompleteDefaults(run);
        try { RunDefinitionRules.Check(run, FieldNames.CommandLine); }
        catch (InvalidRunDefinitionException e) { throw new UsageException(e.Message); }
        if (run.Resume && outDir is null) throw new UsageException("--resume needs --out DIR: the run directory to continue");
        return new TrainOptions(run, o.Int("threads", 0, 0, 1024),
            o.Has("metrics-port") ? o.Int("metrics-port", 0, 1, 65535) : null, o.Switch("trace-console"), !o.Switch("no-report"),
            o.Choice("data-plane", "in-process", DataPlanes) == "in-process");
    }

}
