using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.Abstractions;

/// <summary>What a worker reports back through the control plane once its result was delivered.</summary>
/// <param name="WorkerId">The worker that ran the shard.</param>
/// <param name="Outcome">The coordinator's verdict on the result (accepted, duplicate, stale).</param>
/// <param name="ComputeSeconds">Time spent computing, excluding transfers.</param>
/// <param name="ResultBytes">Bytes of the result stream's payload (gradient and header).</param>
[GenerateSerializer, Immutable, Alias("MetaCluster.ShardReceipt")]
public sealed record ShardReceipt(
    [property: Id(0)] string WorkerId,
    [property: Id(1)] ShardResultAck.Types.Outcome Outcome,
    [property: Id(2)] double ComputeSeconds,
    [property: Id(3)] long ResultBytes);
