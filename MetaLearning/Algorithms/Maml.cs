using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Algorithms;

/// <summary>
/// MAML (Finn et al., 2017): θ_i = θ − α∇ℓ(S_i; θ), k times; outer loss Σ_i ℓ(Q_i; θ_i).
/// Second order differentiates through the inner steps (create_graph); first order treats the
/// inner gradients as constants. All tasks of a shard adapt at once: the weights carry a leading
/// task dimension, so θ is broadcast to [T, …] and each task's fast weights are a slice of one tensor.
/// </summary>
public sealed class Maml(InnerLoopSettings inner, bool firstOrder) : IMetaAlgorithm
{
    /// <inheritdoc/>
    public string Name => firstOrder ? "fomaml" : "maml";

    /// <summary>The inner loop.</summary>
    public InnerLoopSettings Inner => inner;

    /// <inheritdoc/>
    public Tensor InitializeMetaParameters(IFunctionalModel model, ulong seed, ScalarType dtype = ScalarType.Float32) =>
        model.Initialize(seed, dtype);

    /// <inheritdoc/>
    public ShardOutcome ComputeShard(IFunctionalModel model, Tensor theta, TaskBatch batch)
    {
        using var scope = NewDisposeScope();
        var meta = theta.detach().requires_grad_(true);
        var fast = Broadcast(model, meta, batch.Count);
        for (int step = 0; step < inner.Steps; step++)
            fast = InnerStep(model, fast, batch, createGraph: !firstOrder);

        var features = model.Features(fast, batch.QueryX);
        var losses = TaskLosses.PerTask(batch.Kind, model.Head(fast, features), batch.QueryY);
        var gradient = autograd.grad([losses.sum()], [meta])[0];
        var embeddings = features.detach().mean([1]);
        var perTask = losses.detach().to(ScalarType.Float64).cpu().data<double>().ToArray();
        return new ShardOutcome(gradient.detach().MoveToOuterDisposeScope(), perTask, embeddings.MoveToOuterDisposeScope());
    }

    /// <inheritdoc/>
    public EvaluationOutcome Evaluate(IFunctionalModel model, Tensor theta, TaskBatch batch, IReadOnlyList<int> innerSteps)
    {
        var metrics = new double[batch.Count, innerSteps.Count];
        int most = innerSteps.Count == 0 ? 0 : innerSteps.Max();
        using var scope = NewDisposeScope();
        var fast = Broadcast(model, theta.detach(), batch.Count).Select(w => w.clone().requires_grad_(true)).ToArray();
        for (int step = 0; ; step++)
        {
            for (int j = 0; j < innerSteps.Count; j++)
                if (innerSteps[j] == step) Record(metrics, j, QueryMetric(model, fast, batch));
            if (step == most) break;
            using var stepScope = NewDisposeScope();
            var next = InnerStep(model, fast, batch, createGraph: false).Select(w => w.detach().requires_grad_(true)).ToArray();
            foreach (var w in next) w.MoveToOuterDisposeScope();
            fast = next;
        }
        return new EvaluationOutcome(metrics);
    }

    /// <summary>θ (flat) as per-task weights [T, …] that share θ's storage and gradient.</summary>
    internal static Tensor[] Broadcast(IFunctionalModel model, Tensor flat, int tasks) =>
        model.Layout.Views(flat).Select(v => v.unsqueeze(0).expand([tasks, .. v.shape])).ToArray();

    private Tensor[] InnerStep(IFunctionalModel model, Tensor[] fast, TaskBatch batch, bool createGraph)
    {
        // Tasks are independent, so the gradient of the summed support loss with respect to the
        // [T, …] fast weights is each task's own gradient in its own slice.
        var loss = TaskLosses.PerTask(batch.Kind, model.Forward(fast, batch.SupportX), batch.SupportY).sum();
        // TorchSharp, unlike PyTorch, does not default retain_graph to create_graph.
        var grads = autograd.grad([loss], fast, retain_graph: createGraph, create_graph: createGraph);
        var lr = inner.LearningRate;
        return fast.Zip(grads, (w, g) => w - lr * g).ToArray();
    }

    private static double[] QueryMetric(IFunctionalModel model, Tensor[] fast, TaskBatch batch)
    {
        using var noGrad = no_grad();
        var metric = TaskLosses.Metric(batch.Kind, model.Forward(fast, batch.QueryX), batch.QueryY);
        return metric.to(ScalarType.Float64).cpu().data<double>().ToArray();
    }

    private static void Record(double[,] metrics, int column, double[] values)
    {
        for (int i = 0; i < values.Length; i++) metrics[i, column] = values[i];
    }
}
