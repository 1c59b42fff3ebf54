using Orleans.Concurrency;

namespace MetaCluster.Abstractions;

/// <summary>The cluster's list of live workers; runs read it at every meta-step, so workers can come and go.</summary>
[Alias("MetaCluster.IWorkerRegistryGrain")]
public interface IWorkerRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Adds or refreshes a worker; refuses one that does not prove the cluster token, or that was evicted a moment ago.</summary>
    Task RegisterAsync(WorkerRegistration registration);

    /// <summary>Removes a worker (it is shutting down, or it failed).</summary>
    Task UnregisterAsync(string workerId);

    /// <summary>Drops a worker that keeps failing its work; it may register again after <paramref name="hold"/>.</summary>
    Task EvictAsync(string workerId, TimeSpan hold);

    /// <summary>The live workers, ordered by id.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<WorkerRegistration>> GetWorkersAsync();
}
