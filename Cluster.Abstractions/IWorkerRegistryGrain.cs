using Orleans.Concurrency;

namespace MetaCluster.Abstractions;

/// <summary>The cluster's list of live workers; runs read it at every meta-step, so workers can come and go.</summary>
[Alias("MetaCluster.IWorkerRegistryGrain")]
public interface IWorkerRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Adds or refreshes a worker.</summary>
    Task RegisterAsync(WorkerRegistration registration);

    /// <summary>Removes a worker (it is shutting down, or it failed).</summary>
    Task UnregisterAsync(string workerId);

    /// <summary>The live workers, ordered by id.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<WorkerRegistration>> GetWorkersAsync();
}
