using MetaCluster.DataPlane.Reduction;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.Coordinator.Steps;

/// <summary>
/// What one round brought back: each shard's result header in shard order, each unit's as it came
/// (a group's with its members), the gradient sum when the kind carries one (a lease its user
/// disposes), TRLearner's task outputs, and what it took.
/// </summary>
public sealed record RoundResult(
    IReadOnlyList<ShardResultHeader> Shards, IReadOnlyList<ShardResultHeader> Units, GradientLease? Gradient, int Workers, int Retries, long Bytes)
{
    /// <summary>TRLearner's outputs phase: g_i(X) of each shard, in shard order.</summary>
    public IReadOnlyList<(float[] Values, long[] Shape)> Outputs { get; init; } = [];

    /// <summary>
    /// The key of the one relayed result that made the whole gradient, when one did (a reduction
    /// tree whose relay covered every shard): a relay that forwarded it can replay the update.
    /// </summary>
    public ShardKey? SoleRelayedResult { get; init; }
}
