using MetaCluster.Abstractions;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.TaskWorker.Execution;

/// <summary>
/// Runs one shard request on this process's device and delivers its result: what a worker grain
/// does with each call. An interface so that tests can wrap it (fault injection) without the
/// product carrying test hooks.
/// </summary>
public interface IWorkRunner
{
    /// <summary>Requests being run right now.</summary>
    int InFlight { get; }

    /// <summary>Runs <paramref name="request"/> for worker <paramref name="workerId"/> and returns its receipt once the result is acknowledged.</summary>
    Task<ShardReceipt> RunAsync(string workerId, ShardRequest request, CancellationToken cancellationToken);
}
