using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Runs;

namespace MetaCluster.Coordinator.Steps;

/// <summary>Picks a run's topology: TRLearner's two phases, a reduction tree, or shards and groups straight to the coordinator.</summary>
public sealed class MetaSteps(DirectRound direct, RelayedRound relayed, RelationRound relation, AttemptLoop attempts)
{
    /// <summary>The meta-step of <paramref name="run"/>, on <paramref name="parameters"/>, following <paramref name="plan"/>.</summary>
    public IMetaStep For(RunDefinition run, StepPlan plan, RunParameters parameters)
    {
        var tr = run.TrLearner();
        if (tr.Enabled) return new RelationStep(relation, plan, tr, parameters.Elements, parameters.Projections, attempts.MaxAttempts);
        if (run.ReduceTree > 1) return new RelayedStep(relayed, plan, run.ReduceGroup, run.ReduceTree);
        return new ShardedStep(direct, plan, run.ReduceGroup);
    }
}
