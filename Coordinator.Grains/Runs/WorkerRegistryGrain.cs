using MetaCluster.Abstractions;
using Orleans.Runtime;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// Keeps the cluster's workers. Membership is Orleans': a worker whose silo is no longer active
/// (it died, or was declared dead) is left out of the list at once, and forgotten.
/// </summary>
public sealed class WorkerRegistryGrain(IClusterMembershipService membership) : Grain, IWorkerRegistryGrain
{
    private readonly SortedDictionary<string, WorkerRegistration> workers = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public Task RegisterAsync(WorkerRegistration registration)
    {
        workers[registration.WorkerId] = registration;
        DelayDeactivation(TimeSpan.FromDays(3650));
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task UnregisterAsync(string workerId)
    {
        workers.Remove(workerId);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<WorkerRegistration>> GetWorkersAsync()
    {
        var snapshot = membership.CurrentSnapshot;
        var dead = workers.Values.Where(w => snapshot.GetSiloStatus(SiloAddress.FromParsableString(w.Silo)) != SiloStatus.Active).ToArray();
        foreach (var w in dead) workers.Remove(w.WorkerId);
        return Task.FromResult<IReadOnlyList<WorkerRegistration>>(workers.Values.ToArray());
    }
}
