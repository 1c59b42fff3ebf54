using System.Globalization;
using MetaCluster.Testing.Processes;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Abstractions;
using ApiRunState = MetaCluster.Protos.Api.V1.RunState;

namespace MetaCluster.Bench.Measurement;

/// <summary>
/// Runs on a <see cref="ProcessCluster"/> (<c>Coordinator serve</c> and TaskWorker processes)
/// through the public API, as <c>submit</c> and <c>watch</c> do; the metrics come back with the
/// watch stream's result.
/// </summary>
public sealed class ProcessBenchRunner(ProcessCluster cluster, TimeSpan runTimeout) : IBenchRunner
{
    /// <inheritdoc/>
    public async Task<string> RunAsync(RunDefinition run, CancellationToken cancellationToken)
    {
        string runId = await cluster.SubmitAsync(ToOptions(run));
        using var stop = cancellationToken.Register(() => cluster.Client.StopRunAsync(new() { RunId = runId }));
        var result = await cluster.WatchToEndAsync(runId, runTimeout);
        cancellationToken.ThrowIfCancellationRequested();
        if (result.State != ApiRunState.Completed)
            throw new InvalidOperationException($"benchmark run {runId} {result.State.ToString().ToLowerInvariant()}: {result.Error}\n{cluster.Logs()}");
        return result.MetricsJsonl;
    }

    /// <summary>The <c>submit</c> options (names without dashes) that define <paramref name="run"/>.</summary>
    public static Dictionary<string, string> ToOptions(RunDefinition run)
    {
        var c = CultureInfo.InvariantCulture;
        var options = new Dictionary<string, string>
        {
            ["task"] = run.Task, ["algorithm"] = run.Algorithm, ["ways"] = run.Ways.ToString(c), ["shots"] = run.Shots.ToString(c),
            ["query"] = run.Query.ToString(c), ["meta-batch"] = run.MetaBatch.ToString(c), ["inner-steps"] = run.InnerSteps.ToString(c),
            ["inner-lr"] = run.InnerLr.ToString("R", c), ["outer-lr"] = run.OuterLr.ToString("R", c), ["meta-steps"] = run.MetaSteps.ToString(c),
            ["eval-tasks"] = run.EvalTasks.ToString(c), ["workers"] = run.Workers.ToString(c), ["shards"] = run.Shards.ToString(c),
            ["seed"] = run.Seed.ToString(c), ["log-every"] = run.LogEvery.ToString(c), ["checkpoint-every"] = run.CheckpointEvery.ToString(c),
        };
        if (run.Data.Length > 0) options["data"] = string.Join('\n', run.Data);
        if (run.EvalData.Length > 0) options["eval-data"] = string.Join('\n', run.EvalData);
        if (run.Rotations) options["rotations"] = "true";
        return options;
    }
}
