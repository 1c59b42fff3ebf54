using MetaCluster.TaskWorker.Contracts;

namespace MetaCluster.Coordinator.Runs;

/// <summary>Keeps the live workers of the cluster. Lives on the coordinator's silo.</summary>
public sealed class WorkerRegistryGrain : Grain, IWorkerRegistryGrain
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
    public Task<IReadOnlyList<WorkerRegistration>> GetWorkersAsync() =>
        Task.FromResult<IReadOnlyList<WorkerRegistration>>(workers.Values.ToArray());
}
