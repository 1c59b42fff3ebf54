using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Algorithms;

/// <summary>
/// ANIL (Raghu et al., 2020): the inner loop adapts only the head (the model's last
/// <see cref="IFunctionalModel.HeadEntryCount"/> layout entries); the body is meta-learned and
/// shared by every task. Since the body does not change in the inner loop, support and query
/// features are computed once, and each inner step only runs the head. Second order by default:
/// the outer gradient reaches the body through the features the head was fitted on, and the head
/// initialisation through the inner steps; first order treats the head's inner gradients as constants.
/// </summary>
public sealed class Anil(InnerLoopSettings inner, bool firstOrder = false) : IMetaAlgorithm
{
    /// <inheritdoc/>
    public string Name => firstOrder ? "foanil" : "anil";

    /// <summary>The inner loop (over the head only).</summary>
    public InnerLoopSettings Inner => inner;

    /// <inheritdoc/>
    public Tensor InitializeMetaParameters(IFunctionalModel model, ulong seed, ScalarType dtype = ScalarType.Float32) =>
        model.Initialize(seed, dtype);

    /// <inheritdoc/>
    public AdaptedTasks Adapt(IFunctionalModel model, Tensor theta, TaskBatch batch)
    {
        using var scope = NewDisposeScope();
        var meta = theta.detach().requires_grad_(true);
        var head = InnerLoop.HeadEntries(model);
        var fast = InnerLoop.Broadcast(model, meta, batch.Count);
        var supportFeatures = model.Features(fast, batch.SupportX);
        var queryFeatures = model.Features(fast, batch.QueryX);
        for (int step = 0; step < inner.Steps; step++)
        {
            var loss = TaskLosses.PerTask(batch.Kind, model.Head(fast, supportFeatures), batch.SupportY).sum();
            fast = InnerLoop.Step(loss, fast, head, (_, g) => inner.LearningRate * g, createGraph: !firstOrder);
        }
        return AdaptedTasks.FromQueryOutputs(model, meta, fast, batch, model.Head(fast, queryFeatures), queryFeatures);
    }

    /// <inheritdoc/>
    public ShardOutcome ComputeShard(IFunctionalModel model, Tensor theta, TaskBatch batch) =>
        AdaptedTasks.AdaptThenBackward(() => Adapt(model, theta, batch));

    /// <inheritdoc/>
    public EvaluationOutcome Evaluate(IFunctionalModel model, Tensor theta, TaskBatch batch, IReadOnlyList<int> innerSteps) =>
        HeadFineTuning.Evaluate(model, theta, batch, innerSteps, inner.LearningRate);
}
