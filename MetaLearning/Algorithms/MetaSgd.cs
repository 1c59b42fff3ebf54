using MetaCluster.Learning.Models;
using MetaCluster.Learning.Parameters;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Algorithms;

/// <summary>
/// Meta-SGD (Li et al., 2017): the inner learning rate α is a meta-learned tensor with θ's shape,
/// θ_i = θ − α ⊙ ∇ℓ(S_i; θ) (k times), outer loss Σ_i ℓ(Q_i; θ_i), second order. The flat
/// meta-parameter vector is θ followed by α (<see cref="MetaLayout"/>: the model's entries, then
/// "lr." + each entry name); α starts at the configured inner learning rate everywhere. The outer
/// gradient covers both halves.
/// </summary>
public sealed class MetaSgd(InnerLoopSettings inner) : IMetaAlgorithm
{
    /// <summary>Prefix of the learning-rate entries in <see cref="MetaLayout"/>.</summary>
    public const string RatePrefix = "lr.";

    /// <inheritdoc/>
    public string Name => "metasgd";

    /// <summary>The inner loop; its learning rate is α's initial value.</summary>
    public InnerLoopSettings Inner => inner;

    /// <inheritdoc/>
    public ParameterLayout MetaLayout(IFunctionalModel model)
    {
        var layout = new ParameterLayout();
        foreach (var e in model.Layout.Entries) layout.Add(e.Name, e.Shape);
        foreach (var e in model.Layout.Entries) layout.Add(RatePrefix + e.Name, e.Shape);
        return layout;
    }

    /// <inheritdoc/>
    public Tensor InitializeMetaParameters(IFunctionalModel model, ulong seed, ScalarType dtype = ScalarType.Float32)
    {
        using var scope = NewDisposeScope();
        var theta = model.Initialize(seed, dtype);
        var alpha = full(model.Layout.Count, inner.LearningRate, dtype: dtype);
        return cat([theta, alpha]).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public AdaptedTasks Adapt(IFunctionalModel model, Tensor metaParameters, TaskBatch batch)
    {
        using var scope = NewDisposeScope();
        var meta = metaParameters.detach().requires_grad_(true);
        var (fast, rates) = Split(model, meta, batch.Count);
        var all = InnerLoop.AllEntries(model);
        for (int step = 0; step < inner.Steps; step++)
        {
            var loss = InnerLoop.SupportLoss(model, fast, batch, createGraph: true);
            fast = InnerLoop.Step(loss, fast, all, (e, g) => rates[e] * g, createGraph: true);
        }
        var features = model.Features(fast, batch.QueryX);
        return AdaptedTasks.FromQueryOutputs(model, meta, fast, batch, model.Head(fast, features), features);
    }

    /// <inheritdoc/>
    public ShardOutcome ComputeShard(IFunctionalModel model, Tensor metaParameters, TaskBatch batch) =>
        AdaptedTasks.AdaptThenBackward(() => Adapt(model, metaParameters, batch));

    /// <inheritdoc/>
    public EvaluationOutcome Evaluate(IFunctionalModel model, Tensor metaParameters, TaskBatch batch, IReadOnlyList<int> innerSteps)
    {
        using var scope = NewDisposeScope();
        var (start, rates) = Split(model, metaParameters.detach(), batch.Count);
        var all = InnerLoop.AllEntries(model);
        return StepwiseEvaluation.Run(start, all,
            fast =>
            {
                var loss = InnerLoop.SupportLoss(model, fast, batch, createGraph: false);
                return InnerLoop.Step(loss, fast, all, (e, g) => rates[e] * g, createGraph: false);
            },
            fast => TaskLosses.Metric(batch.Kind, model.Forward(fast, batch.QueryX), batch.QueryY),
            innerSteps, fast => model.Forward(fast, batch.QueryX));
    }

    /// <summary>θ and α as per-task weights [T, …], both views of the flat meta-parameters.</summary>
    private static (Tensor[] Theta, Tensor[] Rates) Split(IFunctionalModel model, Tensor meta, int tasks)
    {
        long count = model.Layout.Count;
        if (meta.shape.Length != 1 || meta.shape[0] != 2 * count)
            throw new ArgumentException($"Meta-SGD meta-parameters have shape [{string.Join(", ", meta.shape)}], expected [{2 * count}] (θ then α)");
        return (InnerLoop.Broadcast(model, meta.narrow(0, 0, count), tasks),
                InnerLoop.Broadcast(model, meta.narrow(0, count, count), tasks));
    }
}
