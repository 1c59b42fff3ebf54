using MetaCluster.Learning.Relations;
using MetaCluster.Learning.Tasks;
using MetaCluster.Protos.DataPlane.V1;
using static TorchSharp.torch;

namespace MetaCluster.TaskWorker.Execution;

/// <summary>
/// The worker's learning work in TRLearner's two-phase step, synchronous on the calling thread
/// (dispose scopes are thread-static). The graphs live in <see cref="RelationShard"/> objects that
/// <see cref="RelationShardStore"/> keeps between the phases.
/// </summary>
public static class RelationComputation
{
    /// <summary>Phase 1: adapts the shard's tasks with the graph kept and picks their meta-data.</summary>
    public static RelationShard Adapt(ShardRequest request, ResolvedRunSpec resolved, Tensor theta, Device device)
    {
        var spec = request.Spec;
        var strategy = spec.TrSampler switch
        {
            "" or "hardest" => MetaDataStrategy.Hardest,
            "random" => MetaDataStrategy.Random,
            _ => throw new ArgumentException($"spec.tr_sampler must be hardest or random, got '{spec.TrSampler}'"),
        };
        var sampler = new MetaDataSampler(strategy, spec.TrMetaData);
        using var batch = resolved.Family.Sample(spec.Seed, TaskStream.Train, request.Key.Step, request.TaskIndices, resolved.TrainShape);
        using var onDevice = batch.To(theta.dtype, device);
        return RelationShard.Adapt(resolved.Algorithm, resolved.Model, theta, onDevice, request.TaskIndices, sampler,
            spec.Seed, TaskStream.Train, request.Key.Step);
    }

    /// <summary>Phase 1, second half: rebuilds the pooled meta-data X from the request's references and returns g_i(X) flat, with its shape.</summary>
    public static (float[] Values, long[] Shape) Outputs(ShardRequest request, ResolvedRunSpec resolved, RelationShard shard, ScalarType dtype)
    {
        var pooledRefs = request.RelationOutputs?.PooledMetaData ?? throw new ArgumentException("the request is not relation_outputs work");
        if (pooledRefs.Count == 0) throw new ArgumentException("request.relation_outputs.pooled_meta_data is empty");
        var references = pooledRefs.Select(r => new Learning.Relations.MetaDataRef(r.TaskIndex, r.QuerySample)).ToArray();
        using var scope = NewDisposeScope();
        var pooled = MetaDataPool.Gather(resolved.Family, request.Spec.Seed, TaskStream.Train, request.Key.Step, resolved.TrainShape, references);
        if (pooled.is_floating_point()) pooled = pooled.to(dtype);
        var outputs = shard.ComputeOutputs(pooled).to(ScalarType.Float32).cpu().contiguous();
        return (outputs.data<float>().ToArray(), outputs.shape);
    }

    /// <summary>
    /// Phase 2: backpropagates the shard's share of the objective given its upstream gradients
    /// (∂L_TR/∂z rows then ∂L_TR/∂g rows, flat) and returns its gradient, already divided by T.
    /// </summary>
    public static float[] Backward(ShardRequest request, RelationShard shard, float[] upstream)
    {
        var zShape = shard.EmbeddingShape;
        var gShape = shard.OutputShape ?? throw new InvalidOperationException("phase 2 before the task outputs were computed");
        long zElements = zShape.Aggregate(1L, (a, b) => a * b), gElements = gShape.Aggregate(1L, (a, b) => a * b);
        if (upstream.LongLength != zElements + gElements)
            throw new InvalidDataException($"upstream gradients have {upstream.LongLength} elements, expected {zElements} + {gElements}");
        using var scope = NewDisposeScope();
        var dz = tensor(upstream.AsSpan(0, (int)zElements).ToArray(), zShape);
        var dg = tensor(upstream.AsSpan((int)zElements).ToArray(), gShape);
        var gradient = shard.Backward(dz, dg, request.MetaBatch, request.Spec.TrLambda);
        return gradient.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
    }
}
