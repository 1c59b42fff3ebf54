using MetaCluster.ServiceDefaults.Options;
using System.Globalization;
using System.Text.Json;
using MetaCluster.Coordinator.Definitions;
using MetaCluster.Coordinator.Output;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Abstractions;
using MetaCluster.Embedded;

namespace MetaCluster.Coordinator.Cli;

/// <summary>
/// <c>train</c>: starts an embedded cluster (silo, coordinator, worker grains) in this process,
/// runs one meta-training run to the end, evaluates it, and writes the run directory.
/// </summary>
public static class TrainCommand
{
    /// <summary>Runs the verb; returns the exit code.</summary>
    public static async Task<int> RunAsync(TrainOptions options, TextWriter output, CancellationToken cancellationToken)
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

        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions(run.Workers, run.Device, options.Threads, MetricsPort: options.MetricsPort, ConsoleTraces: options.TraceConsole,
            InProcessDataPlane: options.InProcessDataPlane), cancellationToken);
        var progress = new ProgressPrinter(output, !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out));
        var status = await cluster.RunToEndAsync(run, progress.Show, cancellationToken);
        progress.Finish();

        if (status.State != RunState.Completed)
        {
            Console.Error.WriteLine($"error: run {status.State.ToString().ToLowerInvariant()}: {status.Error ?? "stopped"}");
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
        if (summary.Eval is { } eval)
        {
            output.WriteLine(string.Create(c, $"evaluation on {eval.Episodes} held-out tasks ({eval.Metric}, mean ± 95% CI):"));
            foreach (var p in eval.Results)
                output.WriteLine(string.Create(c, $"  after {p.InnerSteps,3} inner step(s): {p.Mean:0.0000} ± {p.Ci95:0.0000}"));
        }
    }
}
