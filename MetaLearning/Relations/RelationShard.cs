using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Relations;

/// <summary>
/// A worker's half of TRLearner's exact two-phase step, for the tasks it holds. Phase 1:
/// <see cref="Adapt"/> adapts the tasks with any algorithm, picks their meta-data and computes
/// the embeddings z_i; after the coordinator has pooled every task's meta-data,
/// <see cref="ComputeOutputs"/> evaluates g_i(X). Both keep their graphs. Phase 2:
/// <see cref="Backward"/> takes the coordinator's upstream gradients and backpropagates
/// Σ_i ℓ(Q_i)/T + λ(⟨∂L_TR/∂g_i, g_i⟩ + ⟨∂L_TR/∂z_i, z_i⟩) once, giving this shard's exact share
/// of the gradient of (1/T) Σ_i ℓ(Q_i; θ_i) + λ L_TR. Holds the graph until disposed; it owns its
/// tensors outside any dispose scope, so it may be kept across awaits.
/// <para>
/// With algorithms whose inner loop leaves the body unchanged (ANIL, MTL, ProtoNet), every task
/// has the same penultimate features, so on classification families (where g_i is the normalised
/// feature) all g_i coincide and L_TR is identically zero; TRLearner then only acts through
/// algorithms that adapt the body (MAML, first-order MAML, Meta-SGD) or on regression families.
/// </para>
/// </summary>
public sealed class RelationShard : IDisposable
{
    private readonly AdaptedTasks adapted;
    private readonly TaskKind kind;
    private readonly Tensor embeddings;
    private Tensor? outputs;
    private bool consumed;

    private RelationShard(AdaptedTasks adapted, TaskKind kind, IReadOnlyList<long> taskIndices, int[][] chosen, Tensor embeddings)
    {
        this.adapted = adapted;
        this.kind = kind;
        this.embeddings = embeddings.DetachFromDisposeScope();
        TaskIndices = taskIndices.ToArray();
        MetaData = MetaDataPool.References(taskIndices, chosen);
        TaskLosses = adapted.QueryLosses.detach().to(ScalarType.Float64).cpu().data<double>().ToArray();
        TaskMetrics = adapted.QueryMetrics;
    }

    /// <summary>The meta-batch indices of this shard's tasks, in the order of its rows.</summary>
    public IReadOnlyList<long> TaskIndices { get; }

    /// <summary>Each task's outer loss ℓ(Q_i; θ_i).</summary>
    public double[] TaskLosses { get; }

    /// <summary>Each task's query metric under its adapted model (accuracy or MSE).</summary>
    public double[] TaskMetrics { get; }

    /// <summary>The chosen meta-data of this shard's tasks, in task order, m per task.</summary>
    public IReadOnlyList<MetaDataRef> MetaData { get; }

    /// <summary>
    /// Phase 1: adapts the shard's tasks with <paramref name="algorithm"/> (graph kept), picks each
    /// task's meta-data with <paramref name="sampler"/>, and computes z_i, the mean penultimate
    /// feature of task i's meta-data under its adapted model. The sampler's random choices are
    /// keyed by (seed, stream, step, task index).
    /// </summary>
    public static RelationShard Adapt(IMetaAlgorithm algorithm, IFunctionalModel model, Tensor metaParameters, TaskBatch batch,
        IReadOnlyList<long> taskIndices, MetaDataSampler sampler, ulong seed, TaskStream stream, long step)
    {
        if (taskIndices.Count != batch.Count) throw new ArgumentException($"{taskIndices.Count} task indices for a batch of {batch.Count} tasks");
        var adapted = algorithm.Adapt(model, metaParameters, batch);
        try
        {
            var chosen = sampler.Select(adapted.QuerySampleLosses, taskIndices, seed, stream, step);
            using var scope = NewDisposeScope();
            var features = adapted.QueryFeatures;                                   // [T, Q, D]
            var index = tensor(chosen.SelectMany(c => c.Select(j => (long)j)).ToArray(), [batch.Count, sampler.PerTask], device: features.device);
            var picked = features.gather(1, index.unsqueeze(2).expand(-1, -1, features.shape[2]));
            var z = picked.mean([1]);                                                // [T, D], with graph
            return new RelationShard(adapted, batch.Kind, taskIndices, chosen, z);
        }
        catch
        {
            adapted.Dispose();
            throw;
        }
    }

    /// <summary>The shape of z: [T, D].</summary>
    public long[] EmbeddingShape => embeddings.shape;

    /// <summary>The shape of g(X) [T, M, F] once <see cref="ComputeOutputs"/> has run, else null.</summary>
    public long[]? OutputShape => outputs?.shape;

    /// <summary>z_i of this shard's tasks, [T, D], without a graph: what the worker sends to the coordinator.</summary>
    public Tensor Embeddings() => embeddings.detach().clone();

    /// <summary>
    /// Phase 1, second half: g_i(X) for this shard's tasks on the pooled meta-data
    /// <paramref name="pooled"/> [M, …] (every task of the meta-batch, see
    /// <see cref="MetaDataPool"/>): the adapted model's output (regression) or its L2-normalised
    /// penultimate feature (classification, where output slots mean different classes in
    /// different tasks). Keeps the graph; returns a copy without it, [T, M, F], to send.
    /// </summary>
    public Tensor ComputeOutputs(Tensor pooled)
    {
        if (consumed) throw new InvalidOperationException("this shard's graph was already backpropagated");
        outputs?.Dispose();
        using var scope = NewDisposeScope();
        var x = pooled.to(adapted.QueryFeatures.device);
        if (x.is_floating_point()) x = x.to(adapted.QueryFeatures.dtype);
        var g = kind == TaskKind.Regression
            ? adapted.OutputsOn(x)
            : nn.functional.normalize(adapted.FeaturesOn(x), p: 2, dim: -1);
        outputs = g.DetachFromDisposeScope();
        return g.detach().clone().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Phase 2: the gradient with respect to the meta-parameters of
    /// Σ_{i in shard} ℓ(Q_i; θ_i)/T + λ(⟨∂L_TR/∂g_i, g_i⟩ + ⟨∂L_TR/∂z_i, z_i⟩), flat, detached.
    /// The upstream gradients are this shard's rows of the coordinator's
    /// <see cref="RelationGradients"/>, in <see cref="TaskIndices"/> order. Summed over all shards
    /// this is the gradient of the whole objective, already divided by T (unlike
    /// <see cref="ShardOutcome.GradientSum"/>). Consumes the graph: call once.
    /// </summary>
    public Tensor Backward(Tensor embeddingGradients, Tensor outputGradients, int metaBatchSize, double lambda)
    {
        if (consumed) throw new InvalidOperationException("this shard's graph was already backpropagated");
        if (outputs is null) throw new InvalidOperationException("ComputeOutputs must run (phase 1) before Backward (phase 2)");
        if (metaBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(metaBatchSize));
        if (!embeddingGradients.shape.SequenceEqual(embeddings.shape))
            throw new ArgumentException($"embedding gradients have shape [{string.Join(", ", embeddingGradients.shape)}], expected [{string.Join(", ", embeddings.shape)}]");
        if (!outputGradients.shape.SequenceEqual(outputs.shape))
            throw new ArgumentException($"output gradients have shape [{string.Join(", ", outputGradients.shape)}], expected [{string.Join(", ", outputs.shape)}]");
        consumed = true;
        using var scope = NewDisposeScope();
        var dz = embeddingGradients.to(embeddings.dtype, embeddings.device);
        var dg = outputGradients.to(outputs.dtype, outputs.device);
        var surrogate = adapted.QueryLosses.sum() / metaBatchSize
            + lambda * ((dg * outputs).sum() + (dz * embeddings).sum());
        var gradient = autograd.grad([surrogate], [adapted.MetaParameters])[0];
        return gradient.detach().MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        outputs?.Dispose();
        embeddings.Dispose();
        adapted.Dispose();
    }
}
