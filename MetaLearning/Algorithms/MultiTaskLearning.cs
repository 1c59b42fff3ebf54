using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Algorithms;

/// <summary>
/// First-order multi-task learning (Wang, Zhao &amp; Li, ICML 2021, "Bridging Multi-Task Learning
/// and Meta-Learning"): a shared body with one head per training task, trained on each task's
/// support and query sets merged; at meta-test time only the last layer is fine-tuned on the
/// support set (as in ANIL's evaluation).
/// <para>
/// Heads per task, not per class: tasks here are rebuilt from (seed, stream, step, index) and
/// their labels are episode-local (0..Ways−1), so there is no persistent training class or task to
/// attach a stored head to, and regression families have no classes at all. Instead each task's
/// head is fitted in the inner loop: it starts from a shared meta-learned head h, takes k
/// first-order gradient steps (inner learning rate α) on the merged set S_i ∪ Q_i with the body
/// fixed, giving h_i. The per-task objective is the merged loss ℓ(S_i ∪ Q_i; body, h_i).
/// </para>
/// <para>
/// Gradients are first order, which is what the paper's objective Σ_i min_{h_i} ℓ(S_i ∪ Q_i; body, h_i)
/// calls for: by Danskin's theorem its gradient with respect to the body is ∂ℓ/∂body at the fitted
/// heads, with no differentiation through the fit. The body gets ∂ℓ(S_i ∪ Q_i; body, h_i)/∂body;
/// the shared head h gets ∂ℓ/∂h_i (h_i − h is treated as a constant, as in first-order MAML), which
/// moves h towards a starting point from which k head steps fit a task well — the same k-step head
/// fine-tuning used at meta-test time. The reported task losses are these merged losses.
/// </para>
/// </summary>
public sealed class MultiTaskLearning(InnerLoopSettings inner) : IMetaAlgorithm
{
    /// <inheritdoc/>
    public string Name => "mtl";

    /// <summary>The per-task head fit in training, and the head fine-tuning at meta-test time.</summary>
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
        var queryFeatures = model.Features(fast, batch.QueryX);
        var merged = cat([model.Features(fast, batch.SupportX), queryFeatures], 1);
        var targets = cat([batch.SupportY, batch.QueryY], 1);
        // First order: the head fit sees the features as constants, so it adds nothing to the graph.
        var fixedFeatures = merged.detach();
        for (int step = 0; step < inner.Steps; step++)
        {
            var loss = TaskLosses.PerTask(batch.Kind, model.Head(fast, fixedFeatures), targets).sum();
            fast = InnerLoop.Step(loss, fast, head, (_, g) => inner.LearningRate * g, createGraph: false);
        }
        var mergedLosses = TaskLosses.PerTask(batch.Kind, model.Head(fast, merged), targets);
        return AdaptedTasks.FromQueryOutputs(model, meta, fast, batch, model.Head(fast, queryFeatures), queryFeatures, outerLosses: mergedLosses);
    }

    /// <inheritdoc/>
    public ShardOutcome ComputeShard(IFunctionalModel model, Tensor theta, TaskBatch batch) =>
        AdaptedTasks.AdaptThenBackward(() => Adapt(model, theta, batch));

    /// <summary>Fine-tunes only the last layer on each task's support set, from the shared head, and records the query metric.</summary>
    public EvaluationOutcome Evaluate(IFunctionalModel model, Tensor theta, TaskBatch batch, IReadOnlyList<int> innerSteps) =>
        HeadFineTuning.Evaluate(model, theta, batch, innerSteps, inner.LearningRate);
}
