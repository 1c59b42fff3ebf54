using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Algorithms;

/// <summary>
/// Matching Networks (Vinyals et al., 2016) without full-context embeddings: support and query
/// examples are embedded by the same network (the model's penultimate features,
/// <see cref="IFunctionalModel.Features"/>; the head is unused and gets a zero gradient); a query's
/// attention over the support set is a(x̂, xᵢ) = softmax over i of s·cos(f(x̂), g(xᵢ)); its class
/// probabilities are p(c | x̂) = Σᵢ a(x̂, xᵢ)·[yᵢ = c]; the loss is −log(p(y | x̂) + ε), averaged over
/// the query set. There is no inner loop, so the inner-loop settings and evaluation step counts do
/// not change anything. The scale s (<see cref="DefaultScale"/>: 10) sharpens the softmax: cosines
/// lie in [−1, 1] (in [0, 1] after a ReLU), so unscaled (the paper's s = 1) the attention over five
/// support images can never put more than e²/(e² + 4) ≈ 65 % on one of them. As with
/// <see cref="ProtoNet"/>, a task's support and query examples go through the model as one batch,
/// so the CNN-4's batch norm uses the whole episode's statistics.
/// Classification only: labels are 0..Ways−1 (a class without support examples gets probability 0).
/// </summary>
public sealed class MatchingNetworks(double scale = MatchingNetworks.DefaultScale) : IMetaAlgorithm
{
    /// <summary>The scale s of the cosine similarities before the softmax.</summary>
    public const double DefaultScale = 10;

    /// <summary>ε added to the class probabilities before the logarithm, so a zero probability costs −log ε, not infinity.</summary>
    public const double ProbabilityEpsilon = 1e-8;

    // ε of the norms in the cosine (as torch.nn.functional.cosine_similarity), for all-zero embeddings.
    private const double NormEpsilon = 1e-8;

    /// <inheritdoc/>
    public string Name => "matchingnet";

    /// <summary>The scale s of the cosine similarities.</summary>
    public double Scale => scale;

    /// <inheritdoc/>
    public Tensor InitializeMetaParameters(IFunctionalModel model, ulong seed, ScalarType dtype = ScalarType.Float32) =>
        model.Initialize(seed, dtype);

    /// <inheritdoc/>
    public AdaptedTasks Adapt(IFunctionalModel model, Tensor theta, TaskBatch batch)
    {
        RequireClassification(batch);
        using var scope = NewDisposeScope();
        var meta = theta.detach().requires_grad_(true);
        var weights = InnerLoop.Broadcast(model, meta, batch.Count);
        var (supportFeatures, queryFeatures) = ProtoNet.EpisodeFeatures(model, weights, batch);
        var logProbabilities = LogProbabilities(supportFeatures, batch.SupportY, queryFeatures, Ways(batch), scale);
        var losses = NegativeLogLikelihood(logProbabilities, batch.QueryY).mean([1]);
        return AdaptedTasks.FromQueryOutputs(model, meta, weights, batch, logProbabilities, queryFeatures, losses);
    }

    /// <inheritdoc/>
    public ShardOutcome ComputeShard(IFunctionalModel model, Tensor theta, TaskBatch batch) =>
        AdaptedTasks.AdaptThenBackward(() => Adapt(model, theta, batch));

    /// <summary>
    /// Query accuracy of the attention's most probable class; the same in every column, as there
    /// are no inner steps. The predictions are log(p + ε) per class.
    /// </summary>
    public EvaluationOutcome Evaluate(IFunctionalModel model, Tensor theta, TaskBatch batch, IReadOnlyList<int> innerSteps)
    {
        RequireClassification(batch);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weights = InnerLoop.Broadcast(model, theta.detach(), batch.Count);
        var (supportFeatures, queryFeatures) = ProtoNet.EpisodeFeatures(model, weights, batch);
        var scores = LogProbabilities(supportFeatures, batch.SupportY, queryFeatures, Ways(batch), scale);
        return ProtoNet.WithoutInnerSteps(scores, batch, innerSteps);
    }

    /// <summary>
    /// log(p(c | x̂) + ε), [T, Q, W]: the attention a = softmax over the support of s·cos(query, support)
    /// [T, Q, K], times the one-hot support labels [T, K, W]. Support embeddings [T, K, D] with labels
    /// [T, K]; query embeddings [T, Q, D].
    /// </summary>
    public static Tensor LogProbabilities(Tensor supportEmbeddings, Tensor supportLabels, Tensor queryEmbeddings, long ways, double scale)
    {
        var support = Normalised(supportEmbeddings);
        var query = Normalised(queryEmbeddings);
        var attention = nn.functional.softmax(matmul(query, support.transpose(1, 2)) * scale, 2);  // [T, Q, K]
        var oneHot = nn.functional.one_hot(supportLabels, ways).to(supportEmbeddings.dtype);          // [T, K, W]
        return (matmul(attention, oneHot) + ProbabilityEpsilon).log();
    }

    /// <summary>−log(p(y | x̂) + ε) of each query example, [T, Q], from <see cref="LogProbabilities"/> and the labels [T, Q].</summary>
    public static Tensor NegativeLogLikelihood(Tensor logProbabilities, Tensor queryLabels) =>
        -logProbabilities.gather(2, queryLabels.unsqueeze(2)).squeeze(2);

    private static Tensor Normalised(Tensor x) => x / x.norm(-1, keepdim: true).clamp_min(NormEpsilon);

    private static long Ways(TaskBatch batch) => Math.Max(batch.SupportY.max().item<long>(), batch.QueryY.max().item<long>()) + 1;

    private static void RequireClassification(TaskBatch batch)
    {
        if (batch.Kind != TaskKind.Classification)
            throw new ArgumentException($"matchingnet needs a classification task family (attention over labelled support examples), but the batch holds {batch.Kind.ToString().ToLowerInvariant()} targets", nameof(batch));
    }
}
