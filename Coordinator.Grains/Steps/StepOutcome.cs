using MetaCluster.DataPlane.Reduction;
using MetaCluster.Protos.DataPlane.V1;
using ResultKind = MetaCluster.Protos.DataPlane.V1.ShardResultHeader.ResultOneofCase;

namespace MetaCluster.Coordinator.Steps;

/// <summary>
/// What one meta-step brought back, whatever its topology: the outer gradient of the whole
/// meta-parameter vector as a sum to divide by <see cref="Divisor"/> (a lease, returned when the
/// outcome is disposed), each shard's result header (task losses and metrics), and what it took.
/// </summary>
public sealed class StepOutcome(GradientLease gradient, int divisor, RoundResult round) : IDisposable
{
    /// <summary>The gradient sum.</summary>
    public GradientLease Gradient => gradient;

    /// <summary>What the sum is divided by: the meta-batch size, or 1 when the shards already divided.</summary>
    public int Divisor => divisor;

    /// <summary>Each shard's header, in shard order.</summary>
    public IReadOnlyList<ShardResultHeader> Shards { get; init; } = round.Shards;

    /// <summary>Live workers when the step started.</summary>
    public int Workers => round.Workers;

    /// <summary>Units reassigned (and, for TRLearner, rounds restarted).</summary>
    public int Retries { get; init; } = round.Retries;

    /// <summary>The one relayed result that made the whole gradient, when one did.</summary>
    public ShardKey? SoleRelayedResult => round.SoleRelayedResult;

    /// <summary>TRLearner: the step's relation matrix and L_TR.</summary>
    public RelationEvaluation? Relation { get; init; }

    /// <summary>Each task's query loss, in shard order.</summary>
    public IEnumerable<double> TaskLosses => Shards.SelectMany(h => h.ResultCase == ResultKind.RelationAdapt ? h.RelationAdapt.TaskLosses : h.Train.TaskLosses);

    /// <summary>Each task's query metric, in shard order.</summary>
    public IEnumerable<double> TaskMetrics => Shards.SelectMany(h => h.ResultCase == ResultKind.RelationAdapt ? h.RelationAdapt.TaskMetrics : h.Train.TaskMetrics);

    /// <summary>The longest any one shard computed.</summary>
    public TimeSpan SlowestCompute => TimeSpan.FromSeconds(Shards.Max(h => h.ComputeSeconds));

    /// <summary>Gradient elements that saturated the wire type.</summary>
    public long Saturated => round.Units.Sum(u => u.ResultCase switch
    {
        ResultKind.Train => u.Train.GradientSaturated,
        ResultKind.TrainGroup => u.TrainGroup.GradientSaturated,
        _ => 0,
    });

    /// <inheritdoc/>
    public void Dispose()
    {
        gradient.Dispose();
        Relation?.Dispose();
    }
}
