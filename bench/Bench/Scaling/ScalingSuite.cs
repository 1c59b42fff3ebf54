using System.Globalization;
using MetaCluster.Bench.Measurement;
using MetaCluster.Bench.Throughput;
using MetaCluster.Testing.Processes;
using MetaCluster.Coordinator.Runs;
using MetaCluster.ServiceDefaults.Options;
using MetaCluster.Abstractions;
using MetaCluster.Embedded;

namespace MetaCluster.Bench.Scaling;

/// <summary>
/// <c>--suite scaling</c>: tasks/s of one configuration with a larger meta-batch (default 100
/// tasks, one shard per worker) for 1, 2 and 4 workers, (a) in the embedded cluster
/// (<c>train --workers W</c>) and (b) as separate processes (<c>Coordinator serve</c> plus W
/// TaskWorker processes joined through a local Redis), with the speed-up over one worker and the
/// parallel efficiency tasks/s(W) / (W × tasks/s(1)).
/// </summary>
public sealed class ScalingSuite : IBenchSuite
{
    private static readonly string[] Modes = ["embedded", "processes"];

    /// <inheritdoc/>
    public string Name => "scaling";

    /// <inheritdoc/>
    public string Description => "tasks/s and parallel efficiency with 1, 2, 4 workers, embedded and as separate processes";

    /// <inheritdoc/>
    public IReadOnlyList<BenchOption> SuiteOptions { get; } =
    [
        new("scaling-workers", "worker counts (default 1,2,4; --quick 1,2)"),
        new("scaling-modes", "embedded, processes or both (default both; --quick embedded)"),
        new("scaling-configs", "configurations (default sinusoid-maml; e.g. sinusoid-maml,omniglot-protonet)"),
        new("scaling-meta-batch", "tasks per meta-step, split into one shard per worker (default 100)"),
        new("target-seconds", "seconds per repetition (default 3; --quick 0.2)"),
        new("omniglot-zip", "images_background_small1.zip, for Omniglot configurations"),
    ];

    /// <inheritdoc/>
    public void Validate(BenchSettings settings) => Read(settings);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<BenchFigure>> RunAsync(BenchSettings settings, TextWriter progress, CancellationToken cancellationToken)
    {
        var options = Read(settings);
        string scratch = Path.Combine(settings.OutputDirectory, "scratch-runs");
        var figures = new List<BenchFigure>();
        foreach (var name in options.Configs)
        {
            var config = BenchConfiguration.Create(name, options.Omniglot);
            var plan = config.Plan(settings, options.TargetSeconds);
            foreach (var mode in options.Modes)
            {
                var measured = new List<(int Workers, ThroughputMeasurement M, double Load)>();
                if (mode == "embedded")
                {
                    foreach (int workers in options.Workers)
                    {
                        double load = StartLine(progress, config, mode, workers);
                        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions(workers, "cpu", settings.Threads, InProcessDataPlane: true), cancellationToken);
                        var m = await RunThroughput.MeasureAsync(new EmbeddedBenchRunner(cluster, scratch), Definition(config, options, workers), plan, cancellationToken);
                        measured.Add((workers, m, load));
                        EndLine(progress, m);
                    }
                }
                else
                {
                    measured.AddRange(await MeasureProcessesAsync(config, options, settings, plan, scratch, progress, cancellationToken));
                }
                figures.AddRange(Figures(config, mode, options, settings, measured));
            }
        }
        if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        return figures;
    }

    private static async Task<List<(int, ThroughputMeasurement, double)>> MeasureProcessesAsync(
        BenchConfiguration config, ScalingOptions options, BenchSettings settings, BenchPlan plan, string scratch, TextWriter progress, CancellationToken cancellationToken)
    {
        string root = RepositoryLayout.FindRoot()
            ?? throw new InvalidOperationException("--scaling-modes processes starts Redis with the repository's Deploy/scripts/start-redis.sh: run bench from a checkout");
        foreach (var binary in new[] { "Coordinator", "TaskWorker" })
            if (!File.Exists(RepositoryLayout.Binary(binary))) throw new InvalidOperationException($"no {RepositoryLayout.Binary(binary)}: build the Coordinator project");
        var measured = new List<(int, ThroughputMeasurement, double)>();
        await using var redis = await LocalRedis.StartAsync(root, TimeSpan.FromMinutes(5));
        // Run requests through the API may read data only under a --data-root.
        string[] dataRoots = DataRootArgs(config);
        foreach (int workers in options.Workers)
        {
            double load = StartLine(progress, config, "processes", workers);
            var cluster = new ProcessCluster(redis.Address, name: "bench", stateRoot: scratch);
            try
            {
                await cluster.StartCoordinatorAsync(extraArgs: dataRoots);
                for (int i = 1; i <= workers; i++) await cluster.StartWorkerAsync(expectedWorkers: i, threads: settings.Threads);
                var m = await RunThroughput.MeasureAsync(new ProcessBenchRunner(cluster, TimeSpan.FromMinutes(30)), Definition(config, options, workers), plan, cancellationToken);
                measured.Add((workers, m, load));
                EndLine(progress, m);
            }
            finally
            {
                await cluster.DisposeAsync();
                if (Directory.Exists(cluster.StateDirectory)) Directory.Delete(cluster.StateDirectory, recursive: true);
            }
        }
        return measured;
    }

    private static string[] DataRootArgs(BenchConfiguration config) =>
        config.Run.Data.Concat(config.Run.EvalData).Select(path => Path.GetDirectoryName(Path.GetFullPath(path))!).Distinct()
            .SelectMany(root => new[] { "--data-root", root }).ToArray();

    private static RunDefinition Definition(BenchConfiguration config, ScalingOptions options, int workers) =>
        config.Run with { MetaBatch = options.MetaBatch, Workers = workers, Shards = workers };

    private IEnumerable<BenchFigure> Figures(BenchConfiguration config, string mode, ScalingOptions options, BenchSettings settings, List<(int Workers, ThroughputMeasurement M, double Load)> measured)
    {
        var c = CultureInfo.InvariantCulture;
        int cores = Environment.ProcessorCount;
        double? single = measured.Where(x => x.Workers == 1).Select(x => (double?)x.M.Median).FirstOrDefault();
        string note = string.Create(c,
            $"{cores} cores: at most {cores} single-threaded shards compute at once, so beyond {cores} workers the speed-up cannot grow and the parallel efficiency is at most {cores} ÷ (W × threads); the coordinator (fan-out, gradient sum, Adam){(mode == "processes" ? ", the gRPC transfers, Orleans messaging between the processes and Redis" : " and the gRPC transfers")} use the same cores.");
        foreach (var (workers, m, load) in measured)
        {
            var configuration = new Dictionary<string, string>
            {
                ["mode"] = mode == "embedded" ? "embedded (one process, data plane in process)" : "processes (serve + W TaskWorker + Redis)",
                ["workers"] = workers.ToString(c),
                ["shards"] = workers.ToString(c),
                ["meta_batch"] = options.MetaBatch.ToString(c),
                ["threads_per_worker"] = settings.Threads.ToString(c),
                ["model"] = config.Model,
                ["warmup_steps"] = m.WarmupSteps.ToString(c),
                ["steps_per_repetition"] = m.StepsPerRepetition.ToString(c),
            };
            var extra = new Dictionary<string, double>();
            if (single is { } one)
            {
                extra["speedup"] = m.Median / one;
                extra["parallel_efficiency"] = m.Median / (workers * one);
            }
            extra["efficiency_bound"] = Math.Min(1.0, cores / (double)(workers * settings.Threads));
            extra["load_1m"] = load;
            yield return new BenchFigure(Name, config.Name, configuration, "tasks/s", m.Median, m.TasksPerSecond, extra, note);
        }
    }

    private static double StartLine(TextWriter progress, BenchConfiguration config, string mode, int workers)
    {
        double load = MachineInfo.LoadAverage().FirstOrDefault(double.NaN);
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scaling {config.Name} {mode}, {workers} worker(s) (load average {load:0.0})"));
        return load;
    }

    private static void EndLine(TextWriter progress, ThroughputMeasurement m) =>
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {m.Median:0.0} tasks/s (median of {m.TasksPerSecond.Length} × {m.StepsPerRepetition} steps)"));

    private sealed record ScalingOptions(IReadOnlyList<string> Configs, IReadOnlyList<string> Modes, IReadOnlyList<int> Workers, int MetaBatch, double TargetSeconds, OmniglotSources? Omniglot);

    private static ScalingOptions Read(BenchSettings settings)
    {
        var configs = settings.Names("scaling-configs", ["sinusoid-maml"], BenchConfiguration.Names);
        var modes = settings.Names("scaling-modes", settings.Quick ? ["embedded"] : Modes, Modes);
        var workers = settings.PositiveInts("scaling-workers", settings.Quick ? [1, 2] : [1, 2, 4], 64);
        int metaBatch = settings.PositiveInt("scaling-meta-batch", 100, 1_000_000);
        if (metaBatch < workers.Max()) throw new UsageException($"--scaling-meta-batch ({metaBatch}) must be at least the largest worker count ({workers.Max()}): one shard per worker");
        double target = settings.PositiveDouble("target-seconds", settings.Quick ? 0.2 : 3);
        var omniglot = OmniglotSources.Resolve(settings, configs);
        return new ScalingOptions(configs, modes, workers, metaBatch, target, omniglot);
    }
}
