using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.Coordinator.Runs;

/// <summary>The outcome of one fanned-out round: the summed gradient (training) and each shard's header, in shard order.</summary>
public sealed record StepResult(float[]? GradientSum, IReadOnlyList<ShardResultHeader> Headers, int Workers, int Retries, long ResultBytes)
{
    /// <summary>
    /// The key of the one relayed result that made the whole gradient, when one did (a reduction
    /// tree whose relay covered every shard): a relay that forwarded it can replay the update.
    /// </summary>
    public ShardKey? SoleRelayedResult { get; init; }
}

/// <summary>
/// The outcome of TRLearner's two-phase step: the sum over shards of their phase-2 gradients
/// (each already divided by the meta-batch size), and each shard's adapt-phase header (task
/// losses, embeddings, meta-data), in shard order. Retries counts reassigned shards plus restarts.
/// </summary>
public sealed record RelationStepResult(float[] GradientSum, IReadOnlyList<ShardResultHeader> Headers, int Workers, int Retries, long ResultBytes);
