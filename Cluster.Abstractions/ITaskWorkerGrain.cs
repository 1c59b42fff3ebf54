namespace MetaCluster.Abstractions;

/// <summary>
/// A worker bound to one device (CPU or a GPU) of one silo. The coordinator tells it which shard
/// to run through this interface (the control plane); parameters and results travel over gRPC
/// (the data plane).
/// </summary>
[Alias("MetaCluster.ITaskWorkerGrain")]
public interface ITaskWorkerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Rebuilds the shard's tasks from their keys, runs them with the parameters of the requested
    /// version, and streams the result to the request's data-plane address. Returns once the
    /// coordinator has acknowledged (or dropped) the result.
    /// </summary>
    [ResponseTimeout("01:00:00")]
    Task<ShardReceipt> RunShardAsync(EncodedShardRequest request);

    /// <summary>
    /// Runs a pre-reduction group: consecutive training shards of one step and attempt, side by side
    /// in this worker's process, and streams one result for them all (the members' headers and
    /// their gradients summed in shard order). Returns once the coordinator (or the request's relay)
    /// has acknowledged it.
    /// </summary>
    [ResponseTimeout("01:00:00")]
    Task<ShardReceipt> RunShardGroupAsync(EncodedShardRequest[] members);

    /// <summary>
    /// Opens a reduction session on this worker's process relay for a super-group of a training
    /// step (<paramref name="plan"/>: a <c>RelayPlan</c> in its Protobuf encoding) and returns the
    /// relay's URL, to which the super-group's workers then send their groups' results. Interleaves
    /// with a shard this worker is running, so a plan never waits for a computation.
    /// </summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<string> OpenRelayAsync(byte[] plan);

    /// <summary>
    /// The coordinator's verdict on the super-group a relay session of this worker's process
    /// forwarded (<paramref name="planKey"/>: the plan's <c>ShardKey</c>, Protobuf-encoded); fails
    /// with the forward's error if forwarding failed, and answers stale for a session no longer held.
    /// Lets the coordinator retry a super-group at once instead of waiting out the shard timeout.
    /// </summary>
    [Orleans.Concurrency.AlwaysInterleave]
    [ResponseTimeout("01:00:00")]
    Task<MetaCluster.Protos.DataPlane.V1.ShardResultAck.Types.Outcome> AwaitRelayAsync(byte[] planKey);

    /// <summary>Announces this worker to the registry and keeps it active while its silo lives.</summary>
    Task StartAsync(string device);
}
