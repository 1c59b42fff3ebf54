using System.Globalization;
using MetaCluster.Bench.Measurement;
using MetaCluster.Learning.Algorithms;
using MetaCluster.ServiceDefaults.Options;
using MetaCluster.Embedded;

namespace MetaCluster.Bench.Throughput;

/// <summary>
/// <c>--suite throughput</c>: meta-training tasks/s of each benchmark configuration through the
/// embedded cluster with one worker (the path <c>train</c> takes), the same configuration's
/// learning work alone (<see cref="ComputeOnlyLoop"/>), and the PyTorch reference's loop and
/// batched implementations side by side (for CNN-4 also the loop with channels-last
/// activations), with the ratio of C# to the fastest of them.
/// </summary>
public sealed class ThroughputSuite : IBenchSuite
{
    /// <inheritdoc/>
    public string Name => "throughput";

    /// <inheritdoc/>
    public string Description => "tasks/s per configuration: embedded cluster (1 worker), compute only, PyTorch loop and batched";

    /// <inheritdoc/>
    public IReadOnlyList<BenchOption> SuiteOptions { get; } =
    [
        new("configs", $"configurations to run (default all): {string.Join(", ", BenchConfiguration.Names)}"),
        new("reference", "auto (run bench/reference with /usr/bin/python3 when torch imports) or none"),
        new("target-seconds", "seconds per repetition (default 3; --quick 0.2)"),
        new("kernels", "fused (default; MAML/FOMAML on MLPs use the hand-written kernel) or autograd (libtorch autograd throughout)"),
        new("omniglot-zip", "images_background_small1.zip (default: shared/data/omniglot above the repository)"),
        new("device", "cpu (default), cuda or cuda:N: where the cluster's worker, the compute-only loop and the PyTorch reference compute"),
        new("meta-batch", "meta-batch sizes to run each configuration at, e.g. 32,128,512 (default: the configuration's own)"),
    ];

    /// <inheritdoc/>
    public void Validate(BenchSettings settings) => Read(settings);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<BenchFigure>> RunAsync(BenchSettings settings, TextWriter progress, CancellationToken cancellationToken)
    {
        var options = Read(settings);
        TorchSharp.torch.set_num_threads(settings.Threads);
        PyTorchReference? reference = null;
        string? referenceNote = null;
        if (options.Reference == "none") referenceNote = "PyTorch reference skipped (--reference none).";
        else if ((reference = await PyTorchReference.DetectAsync(cancellationToken)) is null) referenceNote = PyTorchReference.NotAvailable + ".";

        string scratch = Path.Combine(settings.OutputDirectory, "scratch-runs");
        var figures = new List<BenchFigure>();
        // `train`'s default (the data plane called in process) and the same cluster with the data
        // plane over gRPC on loopback, as between processes.
        await using (var local = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions(1, options.Device, settings.Threads, InProcessDataPlane: true), cancellationToken))
        await using (var wire = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions(1, options.Device, settings.Threads), cancellationToken))
        {
            var runners = (new EmbeddedBenchRunner(local, scratch), new EmbeddedBenchRunner(wire, scratch));
            foreach (var name in options.Configs)
            {
                var config = BenchConfiguration.Create(name, options.Omniglot).WithKernels(options.Kernels);
                foreach (int metaBatch in options.MetaBatches.Count > 0 ? options.MetaBatches : [config.Run.MetaBatch])
                    figures.AddRange(await MeasureAsync(config.WithMetaBatch(metaBatch), settings, options, runners, reference, referenceNote, progress, cancellationToken));
            }
        }
        if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        return figures;
    }

    private async Task<IEnumerable<BenchFigure>> MeasureAsync(
        BenchConfiguration config, BenchSettings settings, ThroughputOptions options, (IBenchRunner InProcess, IBenchRunner Grpc) runners,
        PyTorchReference? reference, string? referenceNote, TextWriter progress, CancellationToken cancellationToken)
    {
        var plan = config.Plan(settings, options.TargetSeconds);
        double load = MachineInfo.LoadAverage().FirstOrDefault(double.NaN);
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"throughput {config.Name}, meta-batch {config.Run.MetaBatch}, {options.Device}: warm-up {plan.Warmup} step(s), {plan.Repetitions} repetitions of ~{plan.TargetSeconds} s (load average {load:0.0})"));

        ThroughputMeasurement computeOnly;
        using (var loop = new ComputeOnlyLoop(config.Run, options.Device))
            computeOnly = loop.Measure(plan, cancellationToken);
        Report(progress, config.Name, "compute only", computeOnly);
        var embedded = await RunThroughput.MeasureAsync(runners.InProcess, config.Run with { Workers = 1, Shards = 1 }, plan, cancellationToken);
        Report(progress, config.Name, "embedded cluster", embedded);
        var overGrpc = await RunThroughput.MeasureAsync(runners.Grpc, config.Run with { Workers = 1, Shards = 1 }, plan, cancellationToken);
        Report(progress, config.Name, "embedded cluster, data plane over gRPC", overGrpc);

        var pytorch = new List<PyTorchFigure>();
        var notes = new List<string>();
        if (config.IsOmniglot)
            notes.Add($"Omniglot: a meta-step takes seconds on this machine, so warm-up {BenchConfiguration.OmniglotWarmup} step and at most {BenchConfiguration.OmniglotRepetitions} repetitions (each as many steps as fill --target-seconds, at least one).");
        if (referenceNote is not null) notes.Add(referenceNote);
        if (reference is not null)
        {
            // CNN-4 also against the loop with channels-last activations, the layout the C# CNN-4
            // uses: the ratio is then to the fastest PyTorch of the three, not only plain PyTorch.
            string[] implementations = config.IsOmniglot ? ["loop", "batched", PyTorchReference.LoopChannelsLast] : ["loop", "batched"];
            foreach (var implementation in implementations)
            {
                try
                {
                    string json = Path.Combine(settings.OutputDirectory, "pytorch", $"{config.Name}-t{config.Run.MetaBatch}-{implementation}.json");
                    var figure = await reference.MeasureAsync(config, implementation, settings.Threads, plan, options.Omniglot?.Train, options.Device, json, cancellationToken);
                    pytorch.Add(figure);
                    progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  PyTorch {implementation}: {figure.Median:0.0} tasks/s (median of {figure.Repetitions.Length} × {figure.StepsPerRepetition} steps)"));
                }
                catch (InvalidOperationException e)
                {
                    notes.Add($"PyTorch {implementation} failed: {e.Message}");
                    progress.WriteLine($"  PyTorch {implementation} failed: {e.Message}");
                }
            }
            notes.Add("PyTorch figures: bench/reference/maml_reference.py, JSON in pytorch/ of this folder.");
        }

        string note = string.Join(" ", notes);
        return
        [
            Figure(config, "embedded cluster, 1 worker", embedded, settings, options.Device, pytorch, load, note),
            Figure(config, "embedded cluster, 1 worker, data plane over gRPC", overGrpc, settings, options.Device, pytorch, load, note),
            Figure(config, "compute only (no cluster)", computeOnly, settings, options.Device, pytorch, load, note),
        ];
    }

    private BenchFigure Figure(BenchConfiguration config, string path, ThroughputMeasurement m, BenchSettings settings, string device, List<PyTorchFigure> pytorch, double load, string note)
    {
        var c = CultureInfo.InvariantCulture;
        var configuration = new Dictionary<string, string> { ["path"] = path, ["device"] = device };
        foreach (var (k, v) in config.Describe()) configuration[k] = v;
        configuration["threads"] = settings.Threads.ToString(c);
        configuration["warmup_steps"] = m.WarmupSteps.ToString(c);
        configuration["steps_per_repetition"] = m.StepsPerRepetition.ToString(c);

        var extra = new Dictionary<string, double>();
        foreach (var p in pytorch) extra[$"pytorch_{p.Implementation}"] = p.Median;
        if (pytorch.Count > 0) extra["csharp_over_faster_pytorch"] = m.Median / pytorch.Max(p => p.Median);
        extra["load_1m"] = load;
        return new BenchFigure(Name, config.Name, configuration, "tasks/s", m.Median, m.TasksPerSecond, extra, note.Length > 0 ? note : null);
    }

    private static void Report(TextWriter progress, string config, string path, ThroughputMeasurement m) =>
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {path}: {m.Median:0.0} tasks/s (median of {m.TasksPerSecond.Length} × {m.StepsPerRepetition} steps)"));

    private sealed record ThroughputOptions(
        IReadOnlyList<string> Configs, string Reference, double TargetSeconds, OmniglotSources? Omniglot, string Kernels, string Device, IReadOnlyList<int> MetaBatches);

    private static ThroughputOptions Read(BenchSettings settings)
    {
        var configs = settings.Names("configs", BenchConfiguration.Names, BenchConfiguration.Names);
        string reference = settings.String("reference", "auto");
        if (reference is not ("auto" or "none")) throw new UsageException($"--reference must be auto or none, got '{reference}'");
        double target = settings.PositiveDouble("target-seconds", settings.Quick ? 0.2 : 3);
        var omniglot = OmniglotSources.Resolve(settings, configs);
        string kernels = settings.String("kernels", "fused");
        if (!AlgorithmCatalog.KernelChoices.Contains(kernels))
            throw new UsageException($"--kernels must be {string.Join(" or ", AlgorithmCatalog.KernelChoices)}, got '{kernels}'");
        string device = settings.String("device", "cpu");
        BenchDevices.RequireAvailable(device);
        var metaBatches = settings.PositiveInts("meta-batch", [], 100_000);
        return new ThroughputOptions(configs, reference, target, omniglot, kernels, device, metaBatches);
    }
}
