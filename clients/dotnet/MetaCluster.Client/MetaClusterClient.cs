using Grpc.Net.Client;
using MetaCluster.Protos.Api.V1;

namespace MetaCluster.Client;

/// <summary>
/// A client of a MetaCluster coordinator's public API (<c>Coordinator serve --api URL</c>). One
/// instance holds one HTTP/2 connection pool: create it once, share it, dispose it at the end. Calls
/// that fail with UNAVAILABLE are retried with backoff (<see cref="MetaClusterClientOptions.MaxAttempts"/>);
/// every other failure is a <see cref="MetaClusterException"/> carrying the coordinator's one line.
/// <code>
/// using var client = new MetaClusterClient(new Uri("http://127.0.0.1:7100"));
/// var run = await client.SubmitAsync(new RunOptions { Task = "sinusoid", Algorithm = "maml", MetaSteps = 100 });
/// var result = await run.WaitAsync();
/// </code>
/// </summary>
public sealed partial class MetaClusterClient : IDisposable
{
    private readonly GrpcChannel channel;
    private readonly HttpMessageHandler? ownedHandler;
    private readonly ClusterApi.ClusterApiClient api;
    private readonly ApiCalls calls;

    /// <summary>A client of the coordinator at <paramref name="address"/> (<c>http://HOST:PORT</c> or <c>https://…</c>).</summary>
    /// <exception cref="ArgumentException">The address is not an absolute http(s) URL.</exception>
    public MetaClusterClient(Uri address, MetaClusterClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        (channel, var invoker, ownedHandler) = ClientChannel.Open(address, options ?? new MetaClusterClientOptions());
        api = new ClusterApi.ClusterApiClient(invoker);
        calls = new ApiCalls(address);
        Address = address;
    }

    /// <summary>A client of the coordinator at <paramref name="address"/>, with an optional bearer token.</summary>
    public MetaClusterClient(string address, string? token = null)
        : this(ParseAddress(address), new MetaClusterClientOptions { Token = token })
    {
    }

    /// <summary>The coordinator's address.</summary>
    public Uri Address { get; }

    /// <summary>
    /// Starts a run. <paramref name="requestId"/> makes the call idempotent: the coordinator answers a
    /// request id it has seen with the run that request started (<see cref="RunHandle.Created"/> false).
    /// Left null, a new one is made for this call, so a retried call never starts a second run.
    /// </summary>
    /// <param name="options">The run's definition; unset fields take train's defaults.</param>
    /// <param name="name">A human name (at most 200 characters).</param>
    /// <param name="tags">Free tags to find the run by (<see cref="ListRunsAsync"/>).</param>
    /// <param name="requestId">An id of this request (at most 128 characters); null for a new GUID.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="MetaClusterException">INVALID_ARGUMENT naming the field (e.g. <c>definition.algorithm</c>), or any other failure.</exception>
    public async Task<RunHandle> SubmitAsync(RunOptions options, string? name = null, IReadOnlyDictionary<string, string>? tags = null,
        string? requestId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var request = new StartRunRequest
        {
            Definition = RunDefinitionMapper.ToApi(options),
            RequestId = requestId ?? Guid.NewGuid().ToString("N"),
            Name = name ?? "",
        };
        if (tags is not null) foreach (var (key, value) in tags) request.Tags[key] = value;
        var response = await calls.Unary(api.StartRunAsync(request, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        return new RunHandle(this, response.RunId, response.Created);
    }

    /// <summary>A handle on an existing run, for its convenience methods (nothing is called).</summary>
    public RunHandle Run(string runId) => new(this, RequireId(runId), created: false);

    /// <summary>All the coordinator says about one run: progress, definition, name, tags, summary.</summary>
    /// <exception cref="MetaClusterException">NOT_FOUND for an unknown run.</exception>
    public async Task<RunInfo> GetRunAsync(string runId, CancellationToken cancellationToken = default) =>
        ApiMessages.Info(await calls.Unary(api.GetRunAsync(new GetRunRequest { RunId = RequireId(runId) }, cancellationToken: cancellationToken), cancellationToken)
            .ConfigureAwait(false));

    /// <summary>
    /// The coordinator's runs, newest first, every page of them: the next page is fetched as the
    /// enumeration reaches it.
    /// </summary>
    /// <param name="tags">Only runs carrying every one of these tags with these values.</param>
    /// <param name="pageSize">Runs per call (1 to 1000).</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public async IAsyncEnumerable<RunProgress> ListRunsAsync(IReadOnlyDictionary<string, string>? tags = null, int pageSize = 100,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, 1000);
        string token = "";
        do
        {
            var request = new ListRunsRequest { PageSize = pageSize, PageToken = token };
            if (tags is not null) foreach (var (key, value) in tags) request.Tags[key] = value;
            var page = await calls.Unary(api.ListRunsAsync(request, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
            foreach (var run in page.Runs) yield return ApiMessages.Progress(run);
            if (page.NextPageToken == token) yield break;
            token = page.NextPageToken;
        }
        while (token.Length > 0);
    }

    /// <summary>Asks a run to stop (at once if it has not started its first step); it ends <see cref="RunState.Stopped"/>.</summary>
    public Task StopAsync(string runId, CancellationToken cancellationToken = default) =>
        calls.Unary(api.StopRunAsync(new StopRunRequest { RunId = RequireId(runId) }, cancellationToken: cancellationToken), cancellationToken);

    /// <summary>The cluster's live workers.</summary>
    public async Task<IReadOnlyList<WorkerInfo>> ListWorkersAsync(CancellationToken cancellationToken = default)
    {
        var response = await calls.Unary(api.ListWorkersAsync(new ListWorkersRequest(), cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        return [.. response.Workers.Select(ApiMessages.Worker)];
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        channel.Dispose();
        ownedHandler?.Dispose();
    }

    private static string RequireId(string runId) =>
        string.IsNullOrEmpty(runId) ? throw new ArgumentException("a run id is required", nameof(runId)) : runId;

    private static Uri ParseAddress(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri)
            ? uri
            : throw new ArgumentException($"the coordinator address must be an http(s) URL, got '{address}'", nameof(address));
}
