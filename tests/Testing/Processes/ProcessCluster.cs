using System.Globalization;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using MetaCluster.ServiceDefaults.Hosting;
using MetaCluster.Protos.Api.V1;

namespace MetaCluster.Testing.Processes;

/// <summary>
/// A cluster of real processes on loopback: <c>Coordinator serve</c> and TaskWorker processes
/// joined through Redis, each cluster with its own cluster id, ports and state directory. The
/// executables are the <c>Coordinator.dll</c> and <c>TaskWorker.dll</c> next to the running
/// assembly (<see cref="RepositoryLayout.Binary"/>). Used by the process tests and by the
/// <c>bench</c> verb's scaling suite.
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private readonly string redis;
    private readonly string clusterId;
    private readonly int siloPort = FreePorts.Next();
    private readonly List<ManagedProcess> processes = [];
    private GrpcChannel? channel;

    /// <summary>A cluster (nothing started yet) whose membership lives in the Redis at <paramref name="redis"/> (HOST:PORT).</summary>
    /// <param name="redis">The Redis address.</param>
    /// <param name="token">The API and data-plane token, if the cluster should require one.</param>
    /// <param name="name">Prefix of the cluster id (a random suffix keeps clusters apart).</param>
    /// <param name="stateRoot">Where the state directory goes (default: the temp folder's <c>metacluster-tests</c>).</param>
    public ProcessCluster(string redis, string? token = null, string name = "test", string? stateRoot = null)
    {
        this.redis = redis;
        Token = token;
        clusterId = $"{name}-{Guid.NewGuid():N}"[..(name.Length + 12)];
        ApiPort = FreePorts.Next();
        StateDirectory = Path.Combine(stateRoot ?? Path.Combine(Path.GetTempPath(), "metacluster-tests"), clusterId);
    }

    /// <summary>The coordinator's API port on 127.0.0.1.</summary>
    public int ApiPort { get; }

    /// <summary>The token the cluster requires, or null.</summary>
    public string? Token { get; }

    /// <summary>The workers' own token (<c>serve --worker-token</c>, the workers' <c>--token</c>) when users and workers hold different ones; null: they share <see cref="Token"/>.</summary>
    public string? WorkerToken { get; init; }

    /// <summary>The coordinator's <c>--state-dir</c> (run directories under <c>runs/</c>).</summary>
    public string StateDirectory { get; }

    /// <summary>The coordinator process, once started.</summary>
    public ManagedProcess? Coordinator { get; private set; }

    /// <summary>The coordinator's API (and data plane) URL.</summary>
    public string ApiUrl => $"{Scheme}://127.0.0.1:{ApiPort}";

    /// <summary><c>https</c> for a coordinator given TLS certificates (through the start's extra arguments); <c>http</c> by default.</summary>
    public string Scheme { get; init; } = "http";

    /// <summary>Environment variables of every process the cluster starts (e.g. where to export telemetry); a worker's own start adds to them.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>The HTTP handler of the API client (client certificates, a private CA); null for the default.</summary>
    public HttpMessageHandler? ApiHandler { get; init; }

    /// <summary>A client of the coordinator's public API, sending the token if there is one.</summary>
    public ClusterApi.ClusterApiClient Client
    {
        get
        {
            channel ??= GrpcChannel.ForAddress(ApiUrl, new GrpcChannelOptions { HttpHandler = ApiHandler });
            return Token is null
                ? new ClusterApi.ClusterApiClient(channel)
                : new ClusterApi.ClusterApiClient(channel.Intercept(m => { m.Add("authorization", $"Bearer {Token}"); return m; }));
        }
    }

    /// <summary>Starts <c>Coordinator serve</c> with its API on <paramref name="api"/> and waits until it serves.</summary>
    public async Task<ManagedProcess> StartCoordinatorAsync(string api = "127.0.0.1", IEnumerable<string>? extraArgs = null, int metricsPort = 0)
    {
        var args = new List<string>
        {
            RepositoryLayout.Binary("Coordinator"), "serve", "--redis", redis, "--api", $"{Scheme}://{api}:{ApiPort}",
            "--cluster-id", clusterId, "--silo-port", Port(siloPort), "--metrics-port", Port(metricsPort), "--state-dir", StateDirectory,
            "--advertise-address", "127.0.0.1", "--data-plane-url", ApiUrl,
        };
        if (Token is not null) args.AddRange(["--token", Token]);
        if (WorkerToken is not null) args.AddRange(["--worker-token", WorkerToken]);
        if (extraArgs is not null) args.AddRange(extraArgs);
        Coordinator = Track(ManagedProcess.Start("coordinator", "dotnet", args, environment: Environment));
        await Coordinator.WaitForOutputAsync("coordinator serving on", StartTimeout);
        return Coordinator;
    }

    /// <summary>Starts a TaskWorker process (one CPU worker, <paramref name="threads"/> libtorch threads) and waits until the cluster has <paramref name="expectedWorkers"/>.</summary>
    public async Task<ManagedProcess> StartWorkerAsync(int expectedWorkers, int threads = 1, WorkerStart? start = null)
    {
        var worker = LaunchWorker(threads, start);
        await WaitForWorkersAsync(expectedWorkers);
        return worker;
    }

    /// <summary>Starts a TaskWorker process without waiting for it to join; it has printed its ports once it serves.</summary>
    public ManagedProcess LaunchWorker(int threads = 1, WorkerStart? start = null)
    {
        start ??= new WorkerStart();
        var args = new List<string>
        {
            RepositoryLayout.Binary("TaskWorker"), "--redis", redis, "--device", "cpu", "--cluster-id", clusterId,
            "--threads", Port(threads), "--advertise-address", "127.0.0.1",
        };
        bool ownMetricsPort = start.ExtraArgs?.Contains("--metrics-port") == true;
        if (!start.DefaultPorts) args.AddRange(["--silo-port", Port(FreePorts.Next())]);
        if (!start.DefaultPorts && !ownMetricsPort) args.AddRange(["--metrics-port", "0"]);
        if ((start.Token ?? WorkerToken ?? Token) is { } token) args.AddRange(["--token", token]);
        if (start.ExtraArgs is not null) args.AddRange(start.ExtraArgs);
        var environment = new Dictionary<string, string?>(Environment);
        foreach (var (key, value) in start.Environment ?? new Dictionary<string, string?>()) environment[key] = value;
        return Track(ManagedProcess.Start($"worker-{processes.Count}", "dotnet", args, environment: environment));
    }

    /// <summary>Waits until the coordinator lists exactly <paramref name="count"/> live workers.</summary>
    public async Task WaitForWorkersAsync(int count)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            var workers = await WithLogsAsync("listing the workers", () => Client.ListWorkersAsync(new ListWorkersRequest()).ResponseAsync);
            if (workers.Workers.Count == count) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"expected {count} workers, have {workers.Workers.Count}\n{Logs()}");
            await Task.Delay(200);
        }
    }

    /// <summary>Starts a run of <paramref name="definition"/>; returns its id.</summary>
    public async Task<string> SubmitAsync(RunDefinition definition) =>
        (await Client.StartRunAsync(new StartRunRequest { Definition = definition, RequestId = Guid.NewGuid().ToString("N") })).RunId;

    /// <summary>A text file of a run's directory, through the API's download.</summary>
    public async Task<string> DownloadTextAsync(string runId, string path)
    {
        using var call = Client.DownloadRunFile(new DownloadRunFileRequest { RunId = runId, Path = path });
        var bytes = new MemoryStream();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync()) chunk.Data.WriteTo(bytes);
        return System.Text.Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>Polls until the run reaches a step (or ends).</summary>
    public async Task<RunProgress> WaitForStepAsync(string runId, long step, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var runs = await WithLogsAsync("listing the runs", () => Client.ListRunsAsync(new ListRunsRequest()).ResponseAsync);
            var run = runs.Runs.Single(r => r.RunId == runId);
            if (run.Step >= step || run.State is RunState.Completed or RunState.Failed or RunState.Stopped) return run;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"run {runId} stuck at step {run.Step} ({run.State})\n{Logs()}");
            await Task.Delay(50);
        }
    }

    // A failed API call is passed on with every process's log: the handler's exception is there.
    private async Task<T> WithLogsAsync<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException e)
        {
            throw new InvalidOperationException($"{what} failed: {e.Status.Detail}\n{Logs()}", e);
        }
    }

    /// <summary>Watches the run to its end through the streaming API and returns its result.</summary>
    public async Task<RunResult> WatchToEndAsync(string runId, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var call = Client.WatchRun(new WatchRunRequest { RunId = runId }, cancellationToken: cancel.Token);
        await foreach (var e in call.ResponseStream.ReadAllAsync(cancel.Token))
            if (e.EventCase == WatchRunEvent.EventOneofCase.Result) return e.Result;
        throw new InvalidOperationException("the watch stream ended without a result");
    }

    /// <summary>The run directory the coordinator writes for <paramref name="runId"/>.</summary>
    public string RunDirectory(string runId) => Path.Combine(StateDirectory, "runs", runId);

    /// <summary>The output of every process, each under its name.</summary>
    public string Logs() => string.Join("\n", processes.Select(p => $"--- {p.Name}\n{p.Output}"));

    /// <summary>Kills every process of the cluster.</summary>
    public async ValueTask DisposeAsync()
    {
        channel?.Dispose();
        foreach (var p in processes) await p.DisposeAsync();
    }

    private ManagedProcess Track(ManagedProcess process)
    {
        processes.Add(process);
        return process;
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}

/// <summary>How a test starts a TaskWorker.</summary>
/// <param name="DefaultPorts">Leave out --silo-port and --metrics-port, as a user would.</param>
/// <param name="Token">The token it is given instead of the cluster's (e.g. a wrong one); null for the cluster's.</param>
/// <param name="ExtraArgs">More options.</param>
/// <param name="Environment">Variables over the cluster's <see cref="ProcessCluster.Environment"/> (a null value removes one).</param>
public sealed record WorkerStart(bool DefaultPorts = false, string? Token = null, IReadOnlyList<string>? ExtraArgs = null,
    IReadOnlyDictionary<string, string?>? Environment = null);
