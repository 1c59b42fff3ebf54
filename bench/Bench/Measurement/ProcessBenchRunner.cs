using MetaCluster.Coordinator.Definitions;
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
        string runId = await cluster.SubmitAsync(ApiRunDefinitions.ToApi(run));
        using var stop = cancellationToken.Register(() => cluster.Client.StopRunAsync(new() { RunId = runId }));
        var result = await cluster.WatchToEndAsync(runId, runTimeout);
        cancellationToken.ThrowIfCancellationRequested();
        if (result.State != ApiRunState.Completed)
            throw new InvalidOperationException($"benchmark run {runId} {result.State.ToString().ToLowerInvariant()}: {result.Error}\n{cluster.Logs()}");
        return await cluster.DownloadTextAsync(runId, "metrics.jsonl");
    }
}
