using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Algorithms;

/// <summary>
/// Prototypical networks (Snell et al., 2017): the embedding is the model's penultimate features
/// (<see cref="IFunctionalModel.Features"/>; the head is unused and gets a zero gradient); each
/// class's prototype is the mean support embedding of that class; a query's logits are minus its
/// squared Euclidean distances to the prototypes; the loss is their cross-entropy. There is no
/// inner loop, so the inner-loop settings and evaluation step counts do not change anything.
/// A task's support and query examples go through the model in one batch, as in Snell et al.'s
/// code: with batch norm (CNN-4) their statistics are the whole episode's.
/// Classification only: labels are 0..Ways−1 and every class needs at least one support example.
/// </summary>
public sealed class ProtoNet : IMetaAlgorithm
{
    /// <inheritdoc/>
    public string Name => "protonet";

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
        var (supportFeatures, queryFeatures) = EpisodeFeatures(model, weights, batch);
        var logits = Logits(supportFeatures, batch.SupportY, queryFeatures, batch.QueryY);
        return AdaptedTasks.FromQueryOutputs(model, meta, weights, batch, logits, queryFeatures);
    }

    /// <inheritdoc/>
    public ShardOutcome ComputeShard(IFunctionalModel model, Tensor theta, TaskBatch batch) =>
        AdaptedTasks.AdaptThenBackward(() => Adapt(model, theta, batch));

    /// <summary>Query accuracy with prototypes from the support set; the same in every column, as there are no inner steps.</summary>
    public EvaluationOutcome Evaluate(IFunctionalModel model, Tensor theta, TaskBatch batch, IReadOnlyList<int> innerSteps)
    {
        RequireClassification(batch);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weights = InnerLoop.Broadcast(model, theta.detach(), batch.Count);
        var (supportFeatures, queryFeatures) = EpisodeFeatures(model, weights, batch);
        var logits = Logits(supportFeatures, batch.SupportY, queryFeatures, batch.QueryY);
        return WithoutInnerSteps(logits, batch, innerSteps);
    }

    /// <summary>
    /// The outcome of an algorithm that does not adapt by inner steps (ProtoNet, Matching Networks):
    /// the query accuracy of <paramref name="scores"/> [T, Q, W] in every inner-step column, and the
    /// scores as the predictions.
    /// </summary>
    public static EvaluationOutcome WithoutInnerSteps(Tensor scores, TaskBatch batch, IReadOnlyList<int> innerSteps)
    {
        var accuracy = TaskLosses.Metric(TaskKind.Classification, scores, batch.QueryY).to(ScalarType.Float64).cpu().data<double>().ToArray();
        var metrics = new double[batch.Count, innerSteps.Count];
        for (int i = 0; i < batch.Count; i++)
            for (int j = 0; j < innerSteps.Count; j++) metrics[i, j] = accuracy[i];
        var predictions = scores.to(ScalarType.Float32).cpu().contiguous();
        return new EvaluationOutcome(metrics) { Predictions = predictions.data<float>().ToArray(), PredictionShape = predictions.shape };
    }

    /// <summary>Support [T, K, D] and query [T, Q, D] features from one pass over each task's K + Q examples.</summary>
    public static (Tensor Support, Tensor Query) EpisodeFeatures(IFunctionalModel model, IReadOnlyList<Tensor> weights, TaskBatch batch)
    {
        long support = batch.SupportX.shape[1];
        var features = model.Features(weights, cat([batch.SupportX, batch.QueryX], 1));
        return (features.narrow(1, 0, support), features.narrow(1, support, features.shape[1] - support));
    }

    /// <summary>
    /// Logits [T, Q, W] = −‖query embedding − class prototype‖², prototypes being the mean support
    /// embedding per class. Support embeddings [T, K, D] with labels [T, K]; query embeddings [T, Q, D].
    /// </summary>
    public static Tensor Logits(Tensor supportEmbeddings, Tensor supportLabels, Tensor queryEmbeddings, Tensor queryLabels)
    {
        long ways = Math.Max(supportLabels.max().item<long>(), queryLabels.max().item<long>()) + 1;
        var members = nn.functional.one_hot(supportLabels, ways).to(supportEmbeddings.dtype); // [T, K, W]
        var counts = members.sum([1]);                                                          // [T, W]
        using TorchSharp.Scalar zero = 0;
        if (counts.eq(zero).any().item<bool>())
        {
            var empty = counts.eq(zero).nonzero()[0].data<long>().ToArray();
            throw new ArgumentException($"protonet: task {empty[0]} has no support example of class {empty[1]} (labels must be 0..{ways - 1}, each with at least one shot)");
        }
        var prototypes = matmul(members.transpose(1, 2), supportEmbeddings) / counts.unsqueeze(2); // [T, W, D]
        return -(queryEmbeddings.unsqueeze(2) - prototypes.unsqueeze(1)).square().sum([3]);
    }

    private static void RequireClassification(TaskBatch batch)
    {
        if (batch.Kind != TaskKind.Classification)
            throw new ArgumentException($"protonet needs a classification task family (class prototypes), but the batch holds {batch.Kind.ToString().ToLowerInvariant()} targets", nameof(batch));
    }
}
