using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.DataPlane.Wire;
using MetaCluster.Abstractions;

namespace MetaCluster.Coordinator.Runs;

/// <summary>The predictions for a user's task, or why it could not be run.</summary>
public sealed record Prediction(TensorProto? Values, string WorkerId, string? Error);

/// <summary>
/// How a meta-trained model is used: a worker adapts it to a support set and predicts the
/// queries. The parameters go to the worker over the data plane like any step's; the user's task
/// (a support set and queries, typically kilobytes) travels in the shard request.
/// </summary>
public sealed class Predictor(MetaStepExecutor executor, ParameterStore parameters, DataPlaneEndpoint endpoint)
{
    /// <summary>Adapts <paramref name="theta"/> with <paramref name="innerSteps"/> steps on the support set and predicts the queries.</summary>
    public async Task<Prediction> PredictAsync(RunDefinition run, float[] theta, TensorProto supportX, TensorProto supportY, TensorProto queryX,
        int innerSteps, CancellationToken cancellationToken)
    {
        string key = $"predict-{Guid.NewGuid():N}";
        parameters.Publish(key, 0, theta);
        try
        {
            var request = new ShardRequest
            {
                Key = new ShardKey { RunId = key },
                ParameterVersion = 0,
                Spec = run.ToSpec(),
                MetaBatch = 1,
                DataPlaneUrl = endpoint.Url,
                Mode = ShardMode.Predict,
                SupportX = supportX,
                SupportY = supportY,
                QueryX = queryX,
                PredictInnerSteps = innerSteps,
            };
            var result = await executor.RunAsync(request, [[0L]], 0, TimeSpan.FromSeconds(run.ShardTimeoutSeconds), cancellationToken);
            var header = result.Headers[0];
            return header.Error.Length > 0
                ? new Prediction(null, header.WorkerId, header.Error)
                : new Prediction(header.Predictions, header.WorkerId, null);
        }
        finally
        {
            parameters.Remove(key);
        }
    }

    /// <summary>Checks a tensor the user sent: present, float32, bytes matching its shape.</summary>
    public static string? Problem(TensorProto? tensor, string field)
    {
        if (tensor is null || tensor.Shape.Count == 0) return $"{field} is missing";
        if (tensor.Shape.Any(d => d <= 0)) return $"{field} has a dimension that is not positive: [{string.Join(", ", tensor.Shape)}]";
        try
        {
            TensorWire.ToFloats(tensor, field);
            return null;
        }
        catch (InvalidDataException e)
        {
            return e.Message;
        }
    }
}
