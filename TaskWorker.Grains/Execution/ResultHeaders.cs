using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.DataPlane.Wire;

namespace MetaCluster.TaskWorker.Execution;

/// <summary>The header a worker sends ahead of a one-phase shard's result (train, evaluate or predict).</summary>
public static class ResultHeaders
{
    /// <summary>The header for <paramref name="numbers"/> computed by <paramref name="workerId"/> for <paramref name="request"/>.</summary>
    public static ShardResultHeader For(ShardRequest request, string workerId, ShardNumbers numbers, double computeSeconds)
    {
        var header = new ShardResultHeader
        {
            Key = request.Key,
            WorkerId = workerId,
            ComputeSeconds = computeSeconds,
            HasGradient = numbers.Gradient is not null,
        };
        header.TaskIndices.AddRange(request.TaskIndices);
        header.TaskLosses.AddRange(numbers.TaskLosses);
        header.TaskMetrics.AddRange(numbers.TaskMetrics);
        header.EvalMetrics.AddRange(numbers.EvaluationMetrics);
        if (numbers.Predictions is not null) header.Predictions = numbers.Predictions;
        if (numbers.Error is not null) header.Error = numbers.Error;
        // Only TRLearner's adapt phase (its own header) needs the task embeddings; a one-phase
        // result would carry them for nothing.
        if (numbers.Embeddings is not null && request.Mode != ShardMode.Train)
            header.TaskEmbeddings = TensorWire.ToProto(numbers.Embeddings, numbers.EmbeddingShape);
        return header;
    }
}
