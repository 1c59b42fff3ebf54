using MetaCluster.Learning.Diagnostics;
using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Algorithms;

/// <summary>
/// The adapted models of a shard's tasks, still holding the autograd graph back to the
/// meta-parameters. <see cref="IMetaAlgorithm.ComputeShard"/> backpropagates the query losses at
/// once; TRLearner's two-phase step keeps this object between its phases, evaluates the adapted
/// models on more inputs, and backpropagates later. Owns its tensors (they belong to no dispose
/// scope, so a worker may keep it across awaits); disposing it frees the graph.
/// </summary>
public sealed class AdaptedTasks : IDisposable
{
    /// <summary>
    /// What <see cref="IMetaAlgorithm.ComputeShard"/> does without a fused kernel: adapt (the
    /// <c>inner-loop</c> span), then backpropagate the query losses (<c>outer-backward</c>).
    /// </summary>
    public static ShardOutcome AdaptThenBackward(Func<AdaptedTasks> adapt)
    {
        AdaptedTasks adapted;
        using (LearningTelemetry.Start("inner-loop")) adapted = adapt();
        using (adapted)
        using (LearningTelemetry.Start("outer-backward"))
            return adapted.Outcome();
    }

    private readonly IFunctionalModel model;
    private readonly Tensor[] weights;

    /// <summary>Takes ownership of the given tensors and removes them from any dispose scope.</summary>
    /// <param name="model">The model the weights belong to.</param>
    /// <param name="metaParameters">The leaf every kept tensor's graph leads back to (flat, requires grad).</param>
    /// <param name="weights">Each task's adapted weights, [T, …] per entry of the model's layout.</param>
    /// <param name="queryLosses">The outer loss of each task, [T], with its graph.</param>
    /// <param name="querySampleLosses">The loss of each query sample under the adapted model, [T, Q].</param>
    /// <param name="queryFeatures">Penultimate features of the query set under the adapted model, [T, Q, D], with their graph.</param>
    /// <param name="queryMetrics">Each task's metric on its query set (accuracy or MSE, <see cref="TaskLosses.Metric"/>), [T].</param>
    public AdaptedTasks(IFunctionalModel model, Tensor metaParameters, IReadOnlyList<Tensor> weights,
        Tensor queryLosses, Tensor querySampleLosses, Tensor queryFeatures, Tensor queryMetrics)
    {
        QueryMetrics = queryMetrics.detach().to(ScalarType.Float64).cpu().data<double>().ToArray();
        this.model = model;
        MetaParameters = metaParameters.DetachFromDisposeScope();
        this.weights = weights.Select(w => w.DetachFromDisposeScope()).ToArray();
        QueryLosses = queryLosses.DetachFromDisposeScope();
        // Per-sample losses only rank samples; they never carry a gradient.
        QuerySampleLosses = querySampleLosses.detach().DetachFromDisposeScope();
        QueryFeatures = queryFeatures.DetachFromDisposeScope();
    }

    /// <summary>
    /// The adapted tasks from the adapted models' query outputs [T, Q, outputs] (with their graph):
    /// per-sample losses, each task's outer loss (their mean, unless <paramref name="outerLosses"/>
    /// says otherwise) and its query metric.
    /// </summary>
    public static AdaptedTasks FromQueryOutputs(IFunctionalModel model, Tensor metaParameters, IReadOnlyList<Tensor> weights,
        TaskBatch batch, Tensor queryOutputs, Tensor queryFeatures, Tensor? outerLosses = null)
    {
        var samples = TaskLosses.PerSample(batch.Kind, queryOutputs, batch.QueryY);
        return new AdaptedTasks(model, metaParameters, weights, outerLosses ?? samples.mean([1]), samples, queryFeatures,
            TaskLosses.Metric(batch.Kind, queryOutputs.detach(), batch.QueryY));
    }

    /// <summary>The leaf (flat meta-parameters, requires grad) that gradients are taken with respect to.</summary>
    public Tensor MetaParameters { get; }

    /// <summary>Each task's adapted weights, [T, …] per layout entry, in the model's layout.</summary>
    public IReadOnlyList<Tensor> Weights => weights;

    /// <summary>The outer loss of each task, [T], with its graph: what the algorithm's outer gradient differentiates.</summary>
    public Tensor QueryLosses { get; }

    /// <summary>The loss of each query sample under the adapted model, [T, Q], without a graph.</summary>
    public Tensor QuerySampleLosses { get; }

    /// <summary>Penultimate features of the query set under the adapted model, [T, Q, D], with their graph.</summary>
    public Tensor QueryFeatures { get; }

    /// <summary>Each task's metric on its query set under the adapted model: accuracy (classification) or MSE (regression).</summary>
    public double[] QueryMetrics { get; }

    /// <summary>Number of tasks.</summary>
    public int Count => (int)QueryLosses.shape[0];

    /// <summary>
    /// Penultimate features of every task's adapted model on the same inputs <paramref name="shared"/>
    /// [M, …] (TRLearner's pooled meta-data); returns [T, M, D] with its graph.
    /// </summary>
    public Tensor FeaturesOn(Tensor shared) => model.Features(weights, Expand(shared));

    /// <summary>Outputs of every task's adapted model on the same inputs [M, …]; returns [T, M, outputs] with its graph.</summary>
    public Tensor OutputsOn(Tensor shared) => model.Forward(weights, Expand(shared));

    /// <summary>
    /// Σ_i of the gradient of the query losses with respect to the meta-parameters, the task
    /// losses and the mean query features: the shard's result in plain (non-TRLearner) training.
    /// Consumes the graph.
    /// </summary>
    public ShardOutcome Outcome()
    {
        using var scope = NewDisposeScope();
        var gradient = autograd.grad([QueryLosses.sum()], [MetaParameters])[0];
        var losses = QueryLosses.detach().to(ScalarType.Float64).cpu().data<double>().ToArray();
        var embeddings = QueryFeatures.detach().mean([1]);
        return new ShardOutcome(gradient.detach().MoveToOuterDisposeScope(), losses, embeddings.MoveToOuterDisposeScope()) { TaskMetrics = QueryMetrics };
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var w in weights) w.Dispose();
        QueryLosses.Dispose();
        QuerySampleLosses.Dispose();
        QueryFeatures.Dispose();
        MetaParameters.Dispose();
    }

    private Tensor Expand(Tensor shared) => shared.unsqueeze(0).expand([Count, .. shared.shape]);
}
