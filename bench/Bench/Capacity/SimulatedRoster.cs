using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Steps;

namespace MetaCluster.Bench.Capacity;

/// <summary>
/// The capacity run's live workers: the W simulated workers of the point running now, k to a
/// process (<see cref="CapacityPoint.WorkersPerProcess"/>), spread over processes as the
/// product's roster spreads them.
/// </summary>
public sealed class SimulatedRoster : IWorkerRoster
{
    private IReadOnlyList<WorkerRegistration> workers = [];

    /// <summary>Lists the workers of <paramref name="point"/> from now on.</summary>
    public void Set(CapacityPoint point) =>
        Volatile.Write(ref workers, WorkerRoster.SpreadOverProcesses(Enumerable.Range(0, point.Workers)
            .Select(i => new WorkerRegistration($"simulated-{i}", "cpu", $"load-{i / point.WorkersPerProcess}")).ToArray()));

    /// <inheritdoc/>
    public Task<IReadOnlyList<WorkerRegistration>> LiveAsync(CancellationToken cancellationToken)
    {
        var live = Volatile.Read(ref workers);
        return live.Count > 0 ? Task.FromResult(live) : Task.FromException<IReadOnlyList<WorkerRegistration>>(new ShardFailedException("no simulated workers are listed"));
    }
}
