using MetaCluster.Coordinator.Observability;
using MetaCluster.DataPlane.Reduction;
using MetaCluster.Learning.Relations;
using static TorchSharp.torch;

namespace MetaCluster.Coordinator.Steps;

/// <summary>
/// TRLearner's meta-step: the two-phase round (<see cref="RelationRound"/>), with the relation
/// evaluated here on the similarity layer W (<paramref name="projections"/>, a view of the run's
/// meta-parameters after the model's). The outcome's gradient covers the whole vector: the shards'
/// sum for the model (each shard already divided by T) and λ ∂L_TR/∂W for W, so it is applied with
/// a divisor of 1.
/// </summary>
public sealed class RelationStep(RelationRound round, StepPlan plan, TrLearnerSettings settings, int totalElements, Func<Tensor> projections, int maxRestarts) : IMetaStep
{
    /// <inheritdoc/>
    public async Task<StepOutcome> RunAsync(long step, StepTrace trace, CancellationToken cancellationToken)
    {
        RelationEvaluation? relation = null;
        try
        {
            var result = await round.RunAsync(plan.Training(step), plan.Shards, plan.ModelElements, plan.Timeout, maxRestarts, (adapted, outputs) =>
            {
                // Called once per try at the step; only the last (successful) one counts.
                relation?.Dispose();
                using var w = projections();
                relation = RelationEvaluation.Evaluate(adapted, outputs, w, settings.Temperature);
                return relation.Upstream;
            }, trace.EndPhase, cancellationToken);

            var gradient = new float[totalElements];
            using (var modelPart = result.Backward.Gradient!) modelPart.Values.CopyTo(gradient, 0);
            using (var projectionGradient = (relation!.Gradients.ProjectionGradients * settings.Lambda).flatten().to(ScalarType.Float32)) // operator: its scalar is disposed after the call
                projectionGradient.data<float>().CopyTo(gradient.AsSpan(plan.ModelElements));
            return new StepOutcome(GradientLease.Unpooled(gradient), divisor: 1, result.Backward)
            {
                Shards = result.Adapted,
                Retries = result.Retries,
                Relation = relation,
            };
        }
        catch
        {
            relation?.Dispose();
            throw;
        }
    }
}
