using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Tasks;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.DataPlane.Wire;
using MetaCluster.ServiceDefaults.Telemetry;
using static TorchSharp.torch;
using MetaCluster.TaskWorker.Observability;

namespace MetaCluster.TaskWorker.Execution;

/// <summary>The numbers a shard produces, as plain arrays ready for the wire.</summary>
public sealed record ShardNumbers(float[]? Gradient, double[] TaskLosses, float[]? Embeddings, long[] EmbeddingShape, double[] EvaluationMetrics)
{
    /// <summary>Predict mode: query outputs [Q, outputs].</summary>
    public TensorProto? Predictions { get; init; }

    /// <summary>Predict mode: why the user's task could not be run.</summary>
    public string? Error { get; init; }

    /// <summary>Train mode: each task's query metric under its adapted parameters.</summary>
    public double[] TaskMetrics { get; init; } = [];
}

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
        if (request.Mode == ShardMode.Predict) return Predict(request, resolved, theta, device);
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

        ShardOutcome outcome;
        if (resolved.Algorithm.ComputesShardFused(resolved.Model, theta, onDevice))
        {
            using (ShardTracing.Start("fused-shard", request))
                outcome = resolved.Algorithm.ComputeShard(resolved.Model, theta, onDevice);
            return Numbers(outcome);
        }

        // Otherwise ComputeShard is Adapt then Outcome; the two halves are taken apart here only so
        // the trace shows the inner loop and the outer backward pass separately.
        AdaptedTasks adapted;
        using (ShardTracing.Start("inner-loop", request))
            adapted = resolved.Algorithm.Adapt(resolved.Model, theta, onDevice);
        using (adapted)
        using (ShardTracing.Start("outer-backward", request))
            outcome = adapted.Outcome();
        return Numbers(outcome);
    }

    private static ShardNumbers Numbers(ShardOutcome outcome)
    {
        var gradient = outcome.GradientSum.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var embeddings = outcome.TaskEmbeddings.to(ScalarType.Float32).cpu().contiguous();
        return new ShardNumbers(gradient, outcome.TaskLosses, embeddings.data<float>().ToArray(), embeddings.shape, []) { TaskMetrics = outcome.TaskMetrics };
    }

    /// <summary>
    /// Adapts the meta-model to the request's support set and predicts its queries. A task that
    /// does not fit the model (shapes, labels) is the user's error: it is reported, not retried.
    /// </summary>
    private static ShardNumbers Predict(ShardRequest request, ResolvedRunSpec resolved, Tensor theta, Device device)
    {
        using var scope = NewDisposeScope();
        try
        {
            // libtorch aborts the process on some shape errors instead of throwing: every user
            // tensor is checked against the model before it reaches libtorch.
            var model = resolved.Model;
            var supportX = FromProto(request.SupportX, "support_x", model.InputShape).unsqueeze(0);
            var queryX = FromProto(request.QueryX, "query_x", model.InputShape).unsqueeze(0);
            var targets = FromProto(request.SupportY, "support_y", null);
            if (targets.shape[0] != supportX.shape[1])
                throw new ArgumentException($"support_y has {targets.shape[0]} rows for {supportX.shape[1]} support inputs");
            bool classification = resolved.Family.Kind == TaskKind.Classification;
            Tensor supportY, queryY;
            long queries = queryX.shape[1];
            if (classification)
            {
                var labels = targets.flatten().data<float>().ToArray();
                if (labels.Any(l => l < 0 || l >= model.OutputCount || l != MathF.Floor(l)))
                    throw new ArgumentException($"support_y must hold class indices 0..{model.OutputCount - 1}");
                supportY = targets.flatten().to(ScalarType.Int64).unsqueeze(0);
                queryY = zeros([1, queries], ScalarType.Int64);
            }
            else
            {
                supportY = (targets.dim() == 1 ? targets.unsqueeze(1) : targets).unsqueeze(0);
                if (supportY.dim() != 3 || supportY.shape[2] != model.OutputCount)
                    throw new ArgumentException($"support_y must be [K, {model.OutputCount}] (or [K] for one output), got [{string.Join(", ", targets.shape)}]");
                queryY = zeros([1, queries, supportY.shape[2]]);
            }
            using var batch = new TaskBatch(resolved.Family.Kind, supportX, supportY, queryX, queryY);
            using var onDevice = batch.To(theta.dtype, device);
            int steps = Math.Max(0, request.PredictInnerSteps);
            var outcome = resolved.Algorithm.Evaluate(resolved.Model, theta, onDevice, [steps]);
            var shape = outcome.PredictionShape.Skip(1).ToArray();
            return new ShardNumbers(null, [], null, [], []) { Predictions = TensorWire.ToProto(outcome.Predictions!, shape) };
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or System.Runtime.InteropServices.ExternalException)
        {
            return new ShardNumbers(null, [], null, [], []) { Error = e.Message.Split('\n')[0] };
        }
    }

    private static Tensor FromProto(TensorProto? proto, string field, IReadOnlyList<long>? exampleShape)
    {
        if (proto is null || proto.Shape.Count == 0) throw new ArgumentException($"{field} is missing");
        if (exampleShape is not null && !proto.Shape.Skip(1).SequenceEqual(exampleShape))
            throw new ArgumentException($"{field} must be [N, {string.Join(", ", exampleShape)}] for this model, got [{string.Join(", ", proto.Shape)}]");
        var values = TensorWire.ToFloats(proto, field);
        if (values.Any(v => !float.IsFinite(v))) throw new ArgumentException($"{field} contains NaN or infinity");
        return tensor(values, [.. proto.Shape]);
    }
}
