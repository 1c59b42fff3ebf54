using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Tasks;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.TaskWorker.Observability;
using static TorchSharp.torch;

namespace MetaCluster.TaskWorker.Execution;

/// <summary>The numbers a shard produces, as plain arrays ready for the wire.</summary>
public sealed record ShardNumbers(float[]? Gradient, double[] TaskLosses, float[]? Embeddings, long[] EmbeddingShape, double[] EvaluationMetrics);

/// <summary>
/// Runs a shard's learning work synchronously on the calling thread: rebuilds the tasks, adapts
/// them, and copies the results out of libtorch. Dispose scopes are thread-static, so this never
/// awaits.
/// </summary>
public static class ShardComputation
{
    /// <summary>Computes a shard with meta-parameters <paramref name="theta"/> on <paramref name="device"/>.</summary>
    public static ShardNumbers Run(ShardRequest request, ResolvedRunSpec resolved, Tensor theta, Device device)
    {
        using var scope = NewDisposeScope();
        var spec = request.Spec;
        bool training = request.Mode == ShardMode.Train;
        var stream = training ? TaskStream.Train : TaskStream.Evaluation;
        var shape = training ? resolved.TrainShape : resolved.EvaluationShape;
        // Evaluation tasks are keyed by their index alone: every evaluation sees the same tasks.
        long taskStep = training ? request.Key.Step : 0;
        using var batch = resolved.Family.Sample(spec.Seed, stream, taskStep, request.TaskIndices, shape);
        using var onDevice = batch.To(theta.dtype, device);

        if (!training)
        {
            using var evaluate = ShardTracing.Start("evaluate", request);
            var evaluation = resolved.Algorithm.Evaluate(resolved.Model, theta, onDevice, spec.EvalInnerSteps);
            return new ShardNumbers(null, [], null, [], evaluation.Metrics.Cast<double>().ToArray());
        }

        // ComputeShard is Adapt then Outcome for every algorithm; the two halves are taken apart
        // here only so the trace shows the inner loop and the outer backward pass separately.
        AdaptedTasks adapted;
        using (ShardTracing.Start("inner-loop", request))
            adapted = resolved.Algorithm.Adapt(resolved.Model, theta, onDevice);
        ShardOutcome outcome;
        using (adapted)
        using (ShardTracing.Start("outer-backward", request))
            outcome = adapted.Outcome();
        var gradient = outcome.GradientSum.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var embeddings = outcome.TaskEmbeddings.to(ScalarType.Float32).cpu().contiguous();
        return new ShardNumbers(gradient, outcome.TaskLosses, embeddings.data<float>().ToArray(), embeddings.shape, []);
    }
}
