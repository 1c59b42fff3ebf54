using MetaCluster.Protos.Api.V1;

namespace MetaCluster.Client;

public sealed partial class MetaClusterClient
{
    /// <summary>The files of a run's directory: summary, metrics, checkpoints, exported parameters, …</summary>
    public async Task<IReadOnlyList<RunFileInfo>> ListFilesAsync(string runId, CancellationToken cancellationToken = default)
    {
        var response = await calls.Unary(api.ListRunFilesAsync(new ListRunFilesRequest { RunId = RequireId(runId) }, cancellationToken: cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        return [.. response.Files.Select(f => new RunFileInfo(f.Path, f.Size))];
    }

    /// <summary>
    /// Copies every file of a run's directory (<c>checkpoints/</c> included) into <paramref name="directory"/>,
    /// keeping the run's layout. Each file is written as <c>NAME.part</c> and renamed once whole; a
    /// <c>.part</c> left by an interrupted download is continued from its size, so calling this again
    /// after a failure fetches only what is missing of that file. Names the coordinator sends are
    /// checked: nothing is written outside <paramref name="directory"/>.
    /// </summary>
    /// <returns>The files written, in the coordinator's order.</returns>
    /// <exception cref="MetaClusterException">A failed call; INTERNAL for a file name that would leave the directory; DATA_LOSS for a broken stream.</exception>
    public Task<IReadOnlyList<DownloadedFile>> DownloadAsync(string runId, string directory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return new RunDownloader(api, calls).DownloadAllAsync(RequireId(runId), directory, cancellationToken);
    }

    /// <summary>
    /// Adapts a completed run's meta-model to a new task's support set (on a worker) and predicts the
    /// task's query inputs.
    /// </summary>
    /// <param name="runId">A completed run.</param>
    /// <param name="supportX">Support inputs, <c>[K, …]</c> (e.g. <c>[K, 1]</c> for sinusoid).</param>
    /// <param name="supportY">Support targets: <c>[K, outputs]</c> for regression, <c>[K]</c> class indices for classification.</param>
    /// <param name="queryX">Query inputs, <c>[Q, …]</c>.</param>
    /// <param name="innerSteps">Inner steps to adapt with; null uses the run's largest evaluation step count.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><c>[Q, outputs]</c>: regression values, or class scores.</returns>
    /// <exception cref="MetaClusterException">INVALID_ARGUMENT naming a tensor whose shape does not fit the model; FAILED_PRECONDITION for a run that has not finished.</exception>
    public async Task<Prediction> AdaptAndPredictAsync(string runId, FloatTensor supportX, FloatTensor supportY, FloatTensor queryX,
        int? innerSteps = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(supportX);
        ArgumentNullException.ThrowIfNull(supportY);
        ArgumentNullException.ThrowIfNull(queryX);
        var request = new AdaptAndPredictRequest
        {
            RunId = RequireId(runId),
            SupportX = TensorWire.ToProto(supportX),
            SupportY = TensorWire.ToProto(supportY),
            QueryX = TensorWire.ToProto(queryX),
        };
        if (innerSteps is { } steps) request.InnerSteps = steps;
        var response = await calls.Unary(api.AdaptAndPredictAsync(request, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        if (response.Predictions is null) throw new MetaClusterException(Grpc.Core.StatusCode.Internal, "the coordinator answered without predictions");
        try
        {
            return new Prediction(TensorWire.FromProto(response.Predictions), response.WorkerId);
        }
        catch (InvalidDataException e)
        {
            throw new MetaClusterException(Grpc.Core.StatusCode.Internal, $"the coordinator's predictions are malformed: {e.Message}", e);
        }
    }
}
