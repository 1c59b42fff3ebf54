using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Runs;

namespace MetaCluster.Coordinator.Steps;

/// <summary>
/// The live workers from the cluster's registry (membership is Orleans'), read at every round and
/// every retry, so workers can come and go during a run.
/// </summary>
public sealed class WorkerRoster(IGrainFactory grains) : IWorkerRoster
{
    /// <summary>How long to wait for a first worker to join.</summary>
    public TimeSpan WorkerWait { get; init; } = TimeSpan.FromMinutes(5);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<WorkerRegistration>> LiveAsync(CancellationToken cancellationToken)
    {
        var registry = grains.GetGrain<IWorkerRegistryGrain>(0);
        var deadline = DateTime.UtcNow + WorkerWait;
        while (true)
        {
            var workers = await TransientGrainCalls.RetryAsync(registry.GetWorkersAsync, WorkerWait, cancellationToken);
            if (workers.Count > 0) return SpreadOverProcesses(workers);
            if (DateTime.UtcNow > deadline) throw new ShardFailedException($"no worker joined within {WorkerWait.TotalSeconds:0} s");
            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>
    /// Orders workers so that consecutive picks fall on different processes (silos): shards and
    /// groups spread over machines before two land in one process.
    /// </summary>
    public static IReadOnlyList<WorkerRegistration> SpreadOverProcesses(IReadOnlyList<WorkerRegistration> workers) =>
        workers.GroupBy(w => w.Silo, StringComparer.Ordinal)
            .SelectMany((process, p) => process.Select((worker, i) => (worker, i, p)))
            .OrderBy(x => x.i).ThenBy(x => x.p).Select(x => x.worker).ToArray();
}
