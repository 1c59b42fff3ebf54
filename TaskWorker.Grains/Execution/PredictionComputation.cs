using MetaCluster.DataPlane.Wire;
using MetaCluster.Learning.Tasks;
using MetaCluster.Protos.DataPlane.V1;
using static TorchSharp.torch;

namespace MetaCluster.TaskWorker.Execution;

/// <summary>
/// Adapts the meta-model to a user's support set and predicts its queries, synchronously on the
/// calling thread. A task that does not fit the model (shapes, labels) is the user's error: it is
/// reported in the result, not retried.
/// </summary>
public static class PredictionComputation
{
    /// <summary>The predictions for <paramref name="work"/>, or why it could not be run.</summary>
    public static PredictResult Predict(ResolvedRunSpec resolved, PredictWork work, Tensor theta, Device device)
    {
        using var scope = NewDisposeScope();
        try
        {
            // libtorch aborts the process on some shape errors instead of throwing: every user
            // tensor is checked against the model before it reaches libtorch.
            var model = resolved.Model;
            var supportX = FromProto(work.SupportX, "support_x", model.InputShape).unsqueeze(0);
            var queryX = FromProto(work.QueryX, "query_x", model.InputShape).unsqueeze(0);
            var targets = FromProto(work.SupportY, "support_y", null);
            if (targets.shape[0] != supportX.shape[1])
                throw new ArgumentException($"support_y has {targets.shape[0]} rows for {supportX.shape[1]} support inputs");
            Tensor supportY, queryY;
            long queries = queryX.shape[1];
            if (resolved.Family.Kind == TaskKind.Classification)
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
            var outcome = resolved.Algorithm.Evaluate(resolved.Model, theta, onDevice, [Math.Max(0, work.InnerSteps)]);
            return new PredictResult { Predictions = TensorWire.ToProto(outcome.Predictions!, outcome.PredictionShape.Skip(1).ToArray()) };
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or System.Runtime.InteropServices.ExternalException)
        {
            return new PredictResult { Error = e.Message.Split('\n')[0] };
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
