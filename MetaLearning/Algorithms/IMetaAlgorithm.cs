using MetaCluster.Learning.Models;
using MetaCluster.Learning.Parameters;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Algorithms;

/// <summary>What one shard of a meta-batch yields in training.</summary>
/// <param name="GradientSum">Σ over the shard's tasks of ∇θ ℓ(Q_i; θ_i), flat [P]. The coordinator divides by the meta-batch size.</param>
/// <param name="TaskLosses">ℓ(Q_i; θ_i) of each task.</param>
/// <param name="TaskEmbeddings">z_i: mean penultimate feature of each task's query set under its adapted model, [T, D].</param>
public sealed record ShardOutcome(Tensor GradientSum, double[] TaskLosses, Tensor TaskEmbeddings)
{
    /// <summary>Each task's metric on its query set under the adapted model (accuracy or MSE); empty where not computed.</summary>
    public double[] TaskMetrics { get; init; } = [];
}

/// <summary>What one shard of evaluation tasks yields: Metrics[i, j] is task i's metric after <c>innerSteps[j]</c> steps.</summary>
public sealed record EvaluationOutcome(double[,] Metrics)
{
    /// <summary>Query outputs [T, Q, outputs] after the largest step count (regression values or class scores), float32, row-major.</summary>
    public float[]? Predictions { get; init; }

    /// <summary>Shape of <see cref="Predictions"/>.</summary>
    public long[] PredictionShape { get; init; } = [];
}

/// <summary>
/// A meta-learning algorithm: how meta-parameters become a task's adapted model, and the outer
/// gradient of the query losses. Every algorithm works with every task family through
/// <see cref="IFunctionalModel"/> and <see cref="TaskBatch"/>.
/// </summary>
public interface IMetaAlgorithm
{
    /// <summary>The name used on the command line.</summary>
    string Name { get; }

    /// <summary>Initial meta-parameters (flat), deterministic in the seed.</summary>
    Tensor InitializeMetaParameters(IFunctionalModel model, ulong seed, ScalarType dtype = ScalarType.Float32);

    /// <summary>
    /// How the flat meta-parameter vector is laid out: the model's own layout, unless the algorithm
    /// meta-learns more than the model's weights (Meta-SGD appends a learning rate per weight).
    /// </summary>
    ParameterLayout MetaLayout(IFunctionalModel model) => model.Layout;

    /// <summary>
    /// Adapts every task of the batch and keeps the autograd graph from the adapted models back to
    /// (a leaf copy of) <paramref name="theta"/>. The caller owns and disposes the result.
    /// </summary>
    AdaptedTasks Adapt(IFunctionalModel model, Tensor theta, TaskBatch batch);

    /// <summary>Adapts every task of the batch and returns the summed outer gradient with respect to <paramref name="theta"/>.</summary>
    ShardOutcome ComputeShard(IFunctionalModel model, Tensor theta, TaskBatch batch);

    /// <summary>Adapts every task and measures its query metric after each of <paramref name="innerSteps"/> steps.</summary>
    EvaluationOutcome Evaluate(IFunctionalModel model, Tensor theta, TaskBatch batch, IReadOnlyList<int> innerSteps);
}
