using System.Globalization;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using MetaCluster.Coordinator.Hosting;
using MetaCluster.Protos.Api.V1;

namespace MetaCluster.Tests.Processes;

/// <summary>
/// A cluster of real processes on loopback: `Coordinator serve` and TaskWorker processes joined
/// through Redis, each test with its own cluster id, ports and state directory.
/// </summary>
internal sealed class ProcessCluster : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private readonly string redis;
    private readonly string clusterId = $"test-{Guid.NewGuid():N}"[..16];
    private readonly int siloPort = FreePorts.Next();
    private readonly List<ManagedProcess> processes = [];
    private GrpcChannel? channel;

    public ProcessCluster(string redis, string? token = null)
    {
        this.redis = redis;
        Token = token;
        ApiPort = FreePorts.Next();
        StateDirectory = Path.Combine(Path.GetTempPath(), "metacluster-tests", clusterId);
    }

    public int ApiPort { get; }

    public string? Token { get; }

    public string StateDirectory { get; }

    public ManagedProcess? Coordinator { get; private set; }

    public string ApiUrl => $"http://127.0.0.1:{ApiPort}";

    public ClusterApi.ClusterApiClient Client
    {
        get
        {
            channel ??= GrpcChannel.ForAddress(ApiUrl);
            return Token is null
                ? new ClusterApi.ClusterApiClient(channel)
                : new ClusterApi.ClusterApiClient(channel.Intercept(m => { m.Add("authorization", $"Bearer {Token}"); return m; }));
        }
    }

    public async Task<ManagedProcess> StartCoordinatorAsync(string api = "127.0.0.1")
    {
        var args = new List<string>
        {
            RepositoryPaths.Binary("Coordinator"), "serve", "--redis", redis, "--api", $"http://{api}:{ApiPort}",
            "--cluster-id", clusterId, "--silo-port", Port(siloPort), "--metrics-port", "0", "--state-dir", StateDirectory,
            "--advertise-address", "127.0.0.1", "--data-plane-url", ApiUrl,
        };
        if (Token is not null) args.AddRange(["--token", Token]);
        Coordinator = Track(ManagedProcess.Start("coordinator", "dotnet", args));
        await Coordinator.WaitForOutputAsync("coordinator serving on", StartTimeout);
        return Coordinator;
    }

    public async Task<ManagedProcess> StartWorkerAsync(int expectedWorkers)
    {
        var args = new List<string>
        {
            RepositoryPaths.Binary("TaskWorker"), "--redis", redis, "--device", "cpu", "--cluster-id", clusterId,
            "--silo-port", Port(FreePorts.Next()), "--metrics-port", "0", "--threads", "1", "--advertise-address", "127.0.0.1",
        };
        if (Token is not null) args.AddRange(["--token", Token]);
        var worker = Track(ManagedProcess.Start($"worker-{processes.Count}", "dotnet", args));
        await WaitForWorkersAsync(expectedWorkers);
        return worker;
    }

    public async Task WaitForWorkersAsync(int count)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            var workers = await Client.ListWorkersAsync(new ListWorkersRequest());
            if (workers.Workers.Count == count) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"expected {count} workers, have {workers.Workers.Count}\n{Logs()}");
            await Task.Delay(200);
        }
    }

    public async Task<string> SubmitAsync(IReadOnlyDictionary<string, string> options)
    {
        var request = new StartRunRequest();
        foreach (var (k, v) in options) request.Options[k] = v;
        return (await Client.StartRunAsync(request)).RunId;
    }

    /// <summary>Polls until the run reaches a step (or ends).</summary>
    public async Task<RunProgress> WaitForStepAsync(string runId, long step, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var run = (await Client.ListRunsAsync(new ListRunsRequest())).Runs.Single(r => r.RunId == runId);
            if (run.Step >= step || run.State is RunState.Completed or RunState.Failed or RunState.Stopped) return run;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"run {runId} stuck at step {run.Step} ({run.State})");
            await Task.Delay(50);
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

    public string RunDirectory(string runId) => Path.Combine(StateDirectory, "runs", runId);

    public string Logs() => string.Join("\n", processes.Select(p => $"--- {p.Name}\n{p.Output}"));

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
