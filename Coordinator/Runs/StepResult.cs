using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.Coordinator.Runs;

/// <summary>The outcome of one fanned-out round: the summed gradient (training) and each shard's header, in shard order.</summary>
public sealed record StepResult(float[]? GradientSum, IReadOnlyList<ShardResultHeader> Headers, int Workers, int Retries, long ResultBytes);
