using MetaCluster.Learning.Diagnostics;
using MetaCluster.Learning.Fused;
using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Algorithms;

/// <summary>
/// MAML (Finn et al., 2017): θ_i = θ − α∇ℓ(S_i; θ), k times; outer loss Σ_i ℓ(Q_i; θ_i).
/// Second order differentiates through the inner steps (create_graph); first order treats the
/// inner gradients as constants. All tasks of a shard adapt at once: the weights carry a leading
/// task dimension, so θ is broadcast to [T, …] and each task's fast weights are a slice of one tensor.
/// With <paramref name="fusedKernels"/>, training shards of ReLU-MLP regression on the CPU go
/// through <see cref="FusedMlpMaml"/> (hand-derived gradients and Hessian-vector products, SIMD
/// across tasks) instead of autograd; same outcome, tested against this autograd path.
/// </summary>
public sealed class Maml(InnerLoopSettings inner, bool firstOrder, bool fusedKernels = true) : IMetaAlgorithm
{
    /// <inheritdoc/>
    public string Name => firstOrder ? "fomaml" : "maml";

    /// <summary>The inner loop.</summary>
    public InnerLoopSettings Inner => inner;

    /// <inheritdoc/>
    public Tensor InitializeMetaParameters(IFunctionalModel model, ulong seed, ScalarType dtype = ScalarType.Float32) =>
        model.Initialize(seed, dtype);

    /// <inheritdoc/>
    public AdaptedTasks Adapt(IFunctionalModel model, Tensor theta, TaskBatch batch)
    {
        using var scope = NewDisposeScope();
        var meta = theta.detach().requires_grad_(true);
        var all = InnerLoop.AllEntries(model);
        var fast = InnerLoop.Broadcast(model, meta, batch.Count);
        for (int step = 0; step < inner.Steps; step++)
        {
            var loss = InnerLoop.SupportLoss(model, fast, batch, createGraph: !firstOrder);
            fast = InnerLoop.Step(loss, fast, all, (_, g) => inner.LearningRate * g, createGraph: !firstOrder);
        }

        var features = model.Features(fast, batch.QueryX);
        return AdaptedTasks.FromQueryOutputs(model, meta, fast, batch, model.Head(fast, features), features);
    }

    /// <summary>Whether <see cref="ComputeShard"/> takes the hand-written kernel for this shard rather than autograd.</summary>
    public bool UsesFusedKernel(IFunctionalModel model, Tensor theta, TaskBatch batch) =>
        fusedKernels && FusedMlpMaml.Supports(model, theta, batch);

    /// <inheritdoc/>
    public ShardOutcome ComputeShard(IFunctionalModel model, Tensor theta, TaskBatch batch)
    {
        if (UsesFusedKernel(model, theta, batch))
        {
            using var span = LearningTelemetry.Start("fused-shard");
            return FusedMlpMaml.TryComputeShard(model, theta, batch, inner, firstOrder)
                ?? throw new InvalidOperationException("the fused kernel declined a shard it said it supports");
        }
        return AdaptedTasks.AdaptThenBackward(() => Adapt(model, theta, batch));
    }

    /// <inheritdoc/>
    public EvaluationOutcome Evaluate(IFunctionalModel model, Tensor theta, TaskBatch batch, IReadOnlyList<int> innerSteps)
    {
        using var scope = NewDisposeScope();
        var all = InnerLoop.AllEntries(model);
        return StepwiseEvaluation.Run(InnerLoop.Broadcast(model, theta, batch.Count), all,
            fast =>
            {
                var loss = InnerLoop.SupportLoss(model, fast, batch, createGraph: false);
                return InnerLoop.Step(loss, fast, all, (_, g) => inner.LearningRate * g, createGraph: false);
            },
            fast => TaskLosses.Metric(batch.Kind, model.Forward(fast, batch.QueryX), batch.QueryY),
            innerSteps, fast => model.Forward(fast, batch.QueryX));
    }
}
