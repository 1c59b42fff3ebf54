using MetaCluster.Coordinator.Cli;
using MetaCluster.Coordinator.Hosting;
using MetaCluster.Coordinator.Runs;

namespace MetaCluster.Coordinator.Benchmarks.Measurement;

/// <summary>
/// Runs on an <see cref="EmbeddedCluster"/> exactly as <c>train</c> does
/// (<see cref="TrainCommand.RunToEndAsync"/>), into a scratch run directory that is deleted after
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
            var status = await TrainCommand.RunToEndAsync(cluster, run with { OutputDirectory = directory }, progress: null, cancellationToken);
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
