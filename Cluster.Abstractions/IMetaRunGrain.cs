using Orleans.Concurrency;

namespace MetaCluster.Abstractions;

/// <summary>One meta-training run: samples meta-batches, fans shards out to workers, applies the meta-updates, evaluates.</summary>
[Alias("MetaCluster.IMetaRunGrain")]
public interface IMetaRunGrain : IGrainWithStringKey
{
    /// <summary>Starts the run (once; later calls return its status).</summary>
    Task<RunStatus> StartAsync(RunDefinition definition);

    /// <summary>The run's progress.</summary>
    [AlwaysInterleave]
    Task<RunStatus> GetStatusAsync();

    /// <summary>Asks the run to stop after the current step.</summary>
    [AlwaysInterleave]
    Task StopAsync();
}
