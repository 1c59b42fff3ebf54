using MetaCluster.Coordinator.Observability;
using MetaCluster.Protos.DataPlane.V1;
using WorkKind = MetaCluster.Protos.DataPlane.V1.ShardRequest.WorkOneofCase;

namespace MetaCluster.Coordinator.Steps;

/// <summary>
/// One topology's meta-step: runs the step's shards on the workers (θ published as version
/// <c>step</c>) and returns its outer gradient. One implementation per topology: shards or groups
/// straight to the coordinator (<see cref="ShardedStep"/>), a reduction tree (<see cref="RelayedStep"/>),
/// TRLearner's two phases (<see cref="RelationStep"/>).
/// </summary>
public interface IMetaStep
{
    /// <summary>Runs meta-step <paramref name="step"/>, marking its phases on <paramref name="trace"/>.</summary>
    Task<StepOutcome> RunAsync(long step, StepTrace trace, CancellationToken cancellationToken);
}

/// <summary>What every meta-step of a run shares: the run, its spec, its shards, where results go.</summary>
public sealed record StepPlan(string RunId, RunSpec Spec, int MetaBatch, IReadOnlyList<long[]> Shards, int ModelElements, TimeSpan Timeout, string DataPlaneUrl)
{
    /// <summary>The training round of <paramref name="step"/>.</summary>
    public RoundWork Training(long step) => new(RunId, step, step, MetaBatch, Spec, DataPlaneUrl, WorkKind.Train);
}

/// <summary>Shards, or pre-reduction groups of <paramref name="groupSize"/> shards, straight to the coordinator.</summary>
public sealed class ShardedStep(DirectRound round, StepPlan plan, int groupSize) : IMetaStep
{
    /// <inheritdoc/>
    public async Task<StepOutcome> RunAsync(long step, StepTrace trace, CancellationToken cancellationToken)
    {
        var result = await round.RunAsync(plan.Training(step), plan.Shards, plan.ModelElements, plan.Timeout, cancellationToken, groupSize);
        return FanOut.Finish(trace, result, plan.MetaBatch);
    }
}

/// <summary>Groups of <paramref name="groupSize"/> shards meeting at relays, <paramref name="fanIn"/> groups per relay.</summary>
public sealed class RelayedStep(RelayedRound round, StepPlan plan, int groupSize, int fanIn) : IMetaStep
{
    /// <inheritdoc/>
    public async Task<StepOutcome> RunAsync(long step, StepTrace trace, CancellationToken cancellationToken)
    {
        var result = await round.RunAsync(plan.Training(step), plan.Shards, plan.ModelElements, groupSize, fanIn, plan.Timeout, cancellationToken);
        return FanOut.Finish(trace, result, plan.MetaBatch);
    }
}

/// <summary>The end of a one-round step's phases: fan-out (and its compute share), then aggregation, which streaming leaves nothing to do.</summary>
internal static class FanOut
{
    public static StepOutcome Finish(StepTrace trace, RoundResult result, int divisor)
    {
        trace.EndPhase(RunMetrics.Phases.FanOut);
        var outcome = new StepOutcome(result.Gradient!, divisor, result);
        trace.AddToTotals(RunMetrics.Phases.FanOutCompute, outcome.SlowestCompute);
        trace.EndPhase(RunMetrics.Phases.Aggregation);
        return outcome;
    }
}
