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
    /// Runs one shard's work, of whichever kind the request names (train, a pre-reduction group,
    /// evaluate, predict, or a TRLearner phase): rebuilds the tasks from their keys, computes with
    /// the parameters of the requested version, and streams the result to the request's data-plane
    /// address. Returns once that address has acknowledged (or dropped) the result; whether the
    /// result counts is the coordinator's collector's to say, not the receipt's.
    /// </summary>
    [ResponseTimeout("01:00:00")]
    Task<ShardReceipt> RunAsync(EncodedShardRequest request);

    /// <summary>
    /// Opens a reduction session on this worker's process relay for a super-group of a training
    /// step (<paramref name="plan"/>: a <c>RelayPlan</c> in its Protobuf encoding) and returns the
    /// relay's URL, to which the super-group's workers then send their groups' results. Interleaves
    /// with a shard this worker is running, so a plan never waits for a computation.
    /// </summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<string> OpenRelayAsync(byte[] plan);

    /// <summary>
    /// Completes once the relay session of <paramref name="planKey"/> (the plan's <c>ShardKey</c>,
    /// Protobuf-encoded) has forwarded its result and heard back, or was abandoned; fails with the
    /// forward's error if forwarding failed. Lets the coordinator retry a super-group at once
    /// instead of waiting out the shard timeout.
    /// </summary>
    [Orleans.Concurrency.AlwaysInterleave]
    [ResponseTimeout("01:00:00")]
    Task AwaitRelayAsync(byte[] planKey);

    /// <summary>Announces this worker to the registry and keeps it active while its silo lives.</summary>
    Task StartAsync(string device);
}
