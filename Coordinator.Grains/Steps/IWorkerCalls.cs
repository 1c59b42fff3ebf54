using MetaCluster.Abstractions;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.Coordinator.Steps;

/// <summary>
/// How rounds reach workers: the control-plane calls of <see cref="ITaskWorkerGrain"/>, with
/// assignments still as immutable records. The product's implementation calls the grains
/// (<see cref="GrainWorkerCalls"/>); the capacity benchmark drives the same rounds against
/// simulated workers through its own.
/// </summary>
public interface IWorkerCalls
{
    /// <summary>Runs <paramref name="assignment"/> on worker <paramref name="workerId"/>; returns once its result was acknowledged.</summary>
    Task<ShardReceipt> RunAsync(string workerId, ShardAssignment assignment);

    /// <summary>Opens a relay session for <paramref name="plan"/> in worker <paramref name="workerId"/>'s process; returns the relay's URL.</summary>
    Task<string> OpenRelayAsync(string workerId, RelayPlan plan);

    /// <summary>Completes when the relay session of <paramref name="planKey"/> has forwarded (or was abandoned); fails if forwarding failed.</summary>
    Task AwaitRelayAsync(string workerId, ShardKey planKey);
}

/// <summary>The live workers a round may use.</summary>
public interface IWorkerRoster
{
    /// <summary>The registered live workers, spread over processes, waiting for a first one to join if there is none.</summary>
    Task<IReadOnlyList<WorkerRegistration>> LiveAsync(CancellationToken cancellationToken);

    /// <summary>A try on <paramref name="workerId"/> was accepted.</summary>
    void Succeeded(string workerId) { }

    /// <summary>A try failed on <paramref name="workerIds"/> (the workers or relays it blames); never throws.</summary>
    Task FailedAsync(IReadOnlyList<string> workerIds) => Task.CompletedTask;
}
