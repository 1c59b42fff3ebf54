using MetaCluster.Abstractions;
using MetaCluster.Bench.Simulated;
using MetaCluster.Coordinator.Steps;
using MetaCluster.Protos.DataPlane.V1;
using WorkKind = MetaCluster.Protos.DataPlane.V1.ShardRequest.WorkOneofCase;

namespace MetaCluster.Bench.Capacity;

/// <summary>
/// The capacity run's grain boundary: the rounds' calls to workers go, one control message per
/// call as grain calls would, to the simulated-worker process attached now (one point at a time).
/// Only training work is simulated.
/// </summary>
public sealed class SimulatedWorkerCalls : IWorkerCalls
{
    private SimulatedWorkerProcess? attached;

    /// <summary>Sends the rounds' calls to <paramref name="load"/> until the returned handle is disposed.</summary>
    public IDisposable Attach(SimulatedWorkerProcess load)
    {
        if (Interlocked.CompareExchange(ref attached, load, null) is not null) throw new InvalidOperationException("another simulated-worker process is attached");
        return new Detach(() => Interlocked.CompareExchange(ref attached, null, load));
    }

    /// <inheritdoc/>
    public async Task<ShardReceipt> RunAsync(string workerId, ShardAssignment assignment)
    {
        var work = assignment.Work;
        if (work.Kind is not (WorkKind.Train or WorkKind.TrainGroup)) throw new NotSupportedException($"simulated workers run training work only, not {work.Kind}");
        var (outcome, bytes) = await Load.RunAsync(new LoadAssignment(work.Step, assignment.FirstShard, assignment.Shards.Count, assignment.Attempt,
            work.Kind == WorkKind.TrainGroup, assignment.RelayUrl, workerId, Convert.ToHexString(assignment.Secret)));
        return new ShardReceipt(workerId, outcome, 0, bytes);
    }

    /// <inheritdoc/>
    public Task<string> OpenRelayAsync(string workerId, RelayPlan plan) =>
        Load.OpenRelayAsync(new LoadRelayPlan(plan.Key.Step, plan.Key.Shard, plan.Key.Attempt, plan.EndShard, plan.GroupSize, plan.ReplicateUpdate, Convert.ToHexString(plan.AssignmentSecret.Span)));

    /// <inheritdoc/>
    public Task AwaitRelayAsync(string workerId, ShardKey planKey) =>
        Load.AwaitRelayAsync(LoadRelayPlan.RelayUrl(planKey.Step, planKey.Shard, planKey.Attempt));

    private SimulatedWorkerProcess Load => Volatile.Read(ref attached) ?? throw new InvalidOperationException("no simulated-worker process is attached");

    private sealed class Detach(Action detach) : IDisposable
    {
        public void Dispose() => detach();
    }
}
