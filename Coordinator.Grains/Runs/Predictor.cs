using MetaCluster.Abstractions;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Coordinator.Steps;
using MetaCluster.DataPlane.Wire;
using MetaCluster.Protos.DataPlane.V1;
using WorkKind = MetaCluster.Protos.DataPlane.V1.ShardRequest.WorkOneofCase;

namespace MetaCluster.Coordinator.Runs;

/// <summary>The predictions for a user's task, or why it could not be run.</summary>
public sealed record Prediction(TensorProto? Values, string WorkerId, string? Error);

/// <summary>
/// How a meta-trained model is used: a worker adapts it to a support set and predicts the
/// queries. The parameters go to the worker over the data plane like any step's; the user's task
/// (a support set and queries, typically kilobytes) travels in the request.
/// </summary>
public sealed class Predictor(DirectRound round, ParameterPublisher publisher, DataPlaneEndpoint endpoint)
{
    /// <summary>Adapts <paramref name="theta"/> with <paramref name="innerSteps"/> steps on the support set and predicts the queries.</summary>
    public async Task<Prediction> PredictAsync(RunDefinition run, float[] theta, TensorProto supportX, TensorProto supportY, TensorProto queryX,
        int innerSteps, CancellationToken cancellationToken)
    {
        using var published = publisher.PublishOnce("predict", theta);
        var work = new RoundWork(published.Key, 0, 0, 1, run.ToSpec(), endpoint.Url, WorkKind.Predict)
        {
            Prediction = new PredictWork { SupportX = supportX, SupportY = supportY, QueryX = queryX, InnerSteps = innerSteps },
        };
        var result = await round.RunAsync(work, [[0L]], 0, TimeSpan.FromSeconds(run.ShardTimeoutSeconds), cancellationToken);
        var header = result.Shards[0];
        return header.Predict.OutcomeCase == PredictResult.OutcomeOneofCase.Error
            ? new Prediction(null, header.WorkerId, header.Predict.Error)
            : new Prediction(header.Predict.Predictions, header.WorkerId, null);
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
