using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MetaCluster.Coordinator.Definitions;
using MetaCluster.Coordinator.Output;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Abstractions;
using MetaCluster.Embedded;
using MetaCluster.ServiceDefaults.Options;
using static MetaCluster.ServiceDefaults.Options.CheckedOptions;

namespace MetaCluster.Coordinator.Cli;

/// <summary>
/// <c>train</c>: starts an embedded cluster (silo, coordinator, worker grains) in this process,
/// runs one meta-training run to the end, evaluates it, and writes the run directory.
/// </summary>
public sealed class TrainCommand : IVerb
{
    private readonly RunDefinitionOptions definition = new();
    private readonly Option<string?> output = OptionalText("--out", "run directory", "DIR", "runs/<time>-<task>-<algorithm>");
    private readonly Option<bool> resume = Switch("--resume", "continue the run in --out from its newest checkpoint");
    private readonly Option<int> threads = Int("--threads", "libtorch intra-op threads of the process (0: cores ÷ W)", 0, 0, 1024);
    private readonly Option<int?> metricsPort = OptionalInt("--metrics-port", "Prometheus /metrics on 127.0.0.1:P", 1, 65535, "P");
    private readonly Option<bool> traceConsole = Switch("--trace-console", "print the spans of every meta-step");
    private readonly Option<bool> noReport = Switch("--no-report", "skip the plots and report.md at the end");
    private readonly Option<string> dataPlane = Choice("--data-plane",
        "how the workers reach the coordinator's data plane: in memory, or gRPC on loopback as between processes", "in-process", TrainOptions.DataPlanes);

    /// <inheritdoc />
    public int Order => 10;

    /// <inheritdoc />
    public Command Create()
    {
        var command = new Command("train", "meta-train in an embedded single-node cluster (this process), then evaluate; writes the run directory");
        definition.AddTo(command);
        foreach (var option in new Option[] { output, resume, threads, metricsPort, traceConsole, noReport, dataPlane }) command.Options.Add(option);
        output.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } dir && string.IsNullOrWhiteSpace(dir)) r.AddError("--out must name a directory");
        });
        command.SetAction((result, cancellationToken) =>
            RunAsync(Read(result), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellationToken));
        return command;
    }

    /// <summary>The options of a parsed <c>train</c> command line; throws <see cref="UsageException"/> naming the first bad one.</summary>
    public TrainOptions Read(ParseResult result)
    {
        var run = definition.Read(result);
        string? outDir = result.GetValue(output);
        run = RunDefinitionOptions.Checked(run with
        {
            OutputDirectory = outDir ?? Path.Combine("runs", $"{DateTime.Now:yyyyMMdd-HHmmss}-{run.Task}-{run.Algorithm}"),
            Resume = result.GetValue(resume),
        });
        if (run.Resume && outDir is null) throw new UsageException("--resume needs --out DIR: the run directory to continue");
        return new TrainOptions(run, result.GetValue(threads), result.GetValue(metricsPort), result.GetValue(traceConsole), !result.GetValue(noReport),
            result.GetValue(dataPlane) == "in-process");
    }

    /// <summary>Runs the verb; returns the exit code (1: the run failed, named on <paramref name="errors"/>).</summary>
    public static async Task<int> RunAsync(TrainOptions options, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        var run = options.Run;
        try
        {
            // What needs this machine and the data, before anything starts.
            DevicePolicy.CheckAvailableHere(run.Device, FieldNames.CommandLine);
            RunDataChecks.Check(run, FieldNames.CommandLine, dataRoots: null);
        }
        catch (InvalidRunDefinitionException e)
        {
            throw new UsageException(e.Message);
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"meta-training {run.Task} with {run.Algorithm}: {run.MetaSteps} meta-steps of {run.MetaBatch} tasks, {run.Workers} worker(s), {run.Shards} shard(s), device {run.Device}"));
        output.WriteLine($"run directory: {Path.GetFullPath(run.OutputDirectory!)}");

        var clusterOptions = new EmbeddedClusterOptions(run.Workers, run.Device, options.Threads, MetricsPort: options.MetricsPort, ConsoleTraces: options.TraceConsole,
            InProcessDataPlane: options.InProcessDataPlane);
        if (run.Device != "cpu") output.WriteLine($"workers on {string.Join(", ", clusterOptions.PlaceWorkers())}");
        await using var cluster = await EmbeddedCluster.StartAsync(clusterOptions, cancellationToken);
        var progress = new ProgressPrinter(output, !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out));
        var status = await cluster.RunToEndAsync(run, progress.Show, cancellationToken);
        progress.Finish();

        if (status.State != RunState.Completed)
        {
            errors.WriteLine($"error: run {status.State.ToString().ToLowerInvariant()}: {status.Error ?? "stopped"}");
            return 1;
        }
        PrintSummary(output, JsonSerializer.Deserialize<RunSummary>(status.SummaryJson!, RunJson.Indented)!);
        if (options.Report && run.OutputDirectory is not null) ReportCommand.WriteReport(run.OutputDirectory, output);
        return 0;
    }

    /// <summary>Prints a finished run's headline figures.</summary>
    public static void PrintSummary(TextWriter output, RunSummary summary)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"trained in {summary.TrainSeconds:0.0} s: {summary.TasksPerSecond:0} tasks/s, final train loss {summary.FinalTrainLoss:0.0000}"));
        if (summary.Validation is { } v)
        {
            if (v.StoppedEarlyAt is { } stopped) output.WriteLine(string.Create(c, $"stopped early at step {stopped}: {v.EarlyStop} validation(s) in a row without improvement"));
            output.WriteLine(v.BestValue is { } best
                ? string.Create(c, $"best validation {v.Metric} {best:0.0000} at step {v.BestStep} ({v.Validations} validation(s) of {v.Tasks} tasks)")
                : string.Create(c, $"no finite validation {v.Metric} in {v.Validations} validation(s): every validation task diverged"));
        }
        if (summary.Eval is { } eval)
        {
            string which = summary.EvaluatedCheckpoint is { } checkpoint ? $", parameters of {checkpoint}" : "";
            output.WriteLine(string.Create(c, $"evaluation on {eval.Episodes} held-out tasks ({eval.Metric}, mean ± 95% CI{which}):"));
            foreach (var p in eval.Results)
                output.WriteLine(string.Create(c, $"  after {p.InnerSteps,3} inner step(s): {p.Describe(eval.Episodes)}"));
        }
    }
}
