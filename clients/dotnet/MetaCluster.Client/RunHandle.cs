namespace MetaCluster.Client;

/// <summary>
/// A run on a coordinator, as <see cref="MetaClusterClient.SubmitAsync"/> returns it: its id and the
/// client's run methods bound to it. It holds no connection of its own.
/// </summary>
public sealed class RunHandle
{
    private readonly MetaClusterClient client;

    internal RunHandle(MetaClusterClient client, string runId, bool created)
    {
        this.client = client;
        RunId = runId;
        Created = created;
    }

    /// <summary>The run's id.</summary>
    public string RunId { get; }

    /// <summary>False when the request id named a run started earlier (the call was a repeat).</summary>
    public bool Created { get; }

    /// <summary>See <see cref="MetaClusterClient.WatchAsync"/>.</summary>
    public IAsyncEnumerable<RunUpdate> WatchAsync(CancellationToken cancellationToken = default) => client.WatchAsync(RunId, cancellationToken);

    /// <summary>See <see cref="MetaClusterClient.WaitAsync"/>.</summary>
    public Task<RunResult> WaitAsync(IProgress<RunProgress>? progress = null, CancellationToken cancellationToken = default) =>
        client.WaitAsync(RunId, progress, cancellationToken);

    /// <summary>See <see cref="MetaClusterClient.GetRunAsync"/>.</summary>
    public Task<RunInfo> GetAsync(CancellationToken cancellationToken = default) => client.GetRunAsync(RunId, cancellationToken);

    /// <summary>See <see cref="MetaClusterClient.StopAsync"/>.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => client.StopAsync(RunId, cancellationToken);

    /// <summary>See <see cref="MetaClusterClient.ListFilesAsync"/>.</summary>
    public Task<IReadOnlyList<RunFileInfo>> ListFilesAsync(CancellationToken cancellationToken = default) => client.ListFilesAsync(RunId, cancellationToken);

    /// <summary>See <see cref="MetaClusterClient.DownloadAsync"/>.</summary>
    public Task<IReadOnlyList<DownloadedFile>> DownloadAsync(string directory, CancellationToken cancellationToken = default) =>
        client.DownloadAsync(RunId, directory, cancellationToken);

    /// <summary>See <see cref="MetaClusterClient.AdaptAndPredictAsync"/>.</summary>
    public Task<Prediction> AdaptAndPredictAsync(FloatTensor supportX, FloatTensor supportY, FloatTensor queryX, int? innerSteps = null,
        CancellationToken cancellationToken = default) =>
        client.AdaptAndPredictAsync(RunId, supportX, supportY, queryX, innerSteps, cancellationToken);

    /// <inheritdoc/>
    public override string ToString() => RunId;
}
