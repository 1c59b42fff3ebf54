using MetaCluster.Coordinator.Runs;
using MetaCluster.Abstractions;

namespace MetaCluster.Bench.Measurement;

/// <summary>Runs a meta-training run to its end on some cluster and returns its <c>metrics.jsonl</c>.</summary>
public interface IBenchRunner
{
    /// <summary>Runs <paramref name="run"/>; throws when it does not complete.</summary>
    Task<string> RunAsync(RunDefinition run, CancellationToken cancellationToken);
}
