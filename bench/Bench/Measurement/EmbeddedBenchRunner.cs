using MetaCluster.Embedded;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Abstractions;

namespace MetaCluster.Bench.Measurement;

/// <summary>
/// Runs on an <see cref="EmbeddedCluster"/> exactly as <c>train</c> does
/// (<see cref="EmbeddedCluster.RunToEndAsync"/>), into a scratch run directory that is deleted after
/// its metrics are read.
/// </summary>
public sealed class EmbeddedBenchRunner(EmbeddedCluster cluster, string scratchDirectory) : IBenchRunner
{
    /// <inheritdoc/>
    public async Task<string> RunAsync(RunDefinition run, CancellationToken cancellationToken)
    {
        string directory = Path.Combine(scratchDirectory, $"run-{Guid.NewGuid():N}"[..16]);
        try
        {
            var status = await cluster.RunToEndAsync(run with { OutputDirectory = directory }, cancellationToken: cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            if (status.State != RunState.Completed)
                throw new InvalidOperationException($"benchmark run {status.State.ToString().ToLowerInvariant()}: {status.Error ?? "stopped"}");
            return await File.ReadAllTextAsync(Path.Combine(directory, "metrics.jsonl"), cancellationToken);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
