using MetaCluster.Testing.Processes;

namespace MetaCluster.Tests.Clients.EndToEnd;

/// <summary>
/// A real cluster on loopback for the client tests, started once: Redis from the repository's
/// script, <c>Coordinator serve</c> and one TaskWorker process. It also runs, on first use, one short
/// sinusoid run through the library that several tests read (watched with WatchAsync as it goes).
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private LocalRedis? redis;
    private ProcessCluster? cluster;
    private Task<FinishedRun>? finished;
    private readonly Lock gate = new();

    /// <summary>Why the cluster could not start here (no Redis), or null.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>The cluster; skips the calling test when it could not start.</summary>
    public ProcessCluster Cluster
    {
        get
        {
            if (SkipReason is not null) Assert.Skip(SkipReason);
            return cluster ?? throw new InvalidOperationException("the cluster is not started");
        }
    }

    /// <summary>A client of the coordinator.</summary>
    public MetaClusterClient Client() => new(new Uri(Cluster.ApiUrl));

    /// <summary>The shared short run, submitted and watched to its end once.</summary>
    public Task<FinishedRun> FinishedRunAsync()
    {
        _ = Cluster;
        lock (gate) return finished ??= RunOnceAsync();
    }

    /// <inheritdoc/>
    public async ValueTask InitializeAsync()
    {
        if (SystemPackages.RedisMissing is { } noRedis)
        {
            SkipReason = noRedis;
            return;
        }
        try
        {
            // As root (CI) the first start may install redis-server from apt.
            redis = await LocalRedis.StartAsync(RepositoryPaths.Root, TimeSpan.FromMinutes(5));
        }
        catch (Exception e) when (e is InvalidOperationException or FileNotFoundException or System.Net.Sockets.SocketException or TimeoutException)
        {
            SkipReason = "no Redis for the cluster's membership on this machine: " + e.Message.Split('\n')[0];
            return;
        }
        cluster = new ProcessCluster(redis.Address, name: "clients");
        await cluster.StartCoordinatorAsync();
        await cluster.StartWorkerAsync(expectedWorkers: 1, threads: 1);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
            try { Directory.Delete(cluster.StateDirectory, recursive: true); }
            catch (IOException) { }
        }
        if (redis is not null) await redis.DisposeAsync();
    }

    private async Task<FinishedRun> RunOnceAsync()
    {
        using var client = Client();
        string tag = Guid.NewGuid().ToString("N");
        var options = new RunOptions
        {
            Task = TaskFamilies.Sinusoid, Algorithm = Algorithms.Maml, MetaSteps = 20, MetaBatch = 8, EvalTasks = 10, CheckpointEvery = 5,
            LogEvery = 1, Seed = 3,
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var run = await client.SubmitAsync(options, "clients-e2e", new Dictionary<string, string> { ["suite"] = tag }, cancellationToken: timeout.Token);
        var updates = new List<RunUpdate>();
        await foreach (var update in client.WatchAsync(run.RunId, timeout.Token)) updates.Add(update);
        return new FinishedRun(run.RunId, tag, updates);
    }
}

/// <summary>The shared run: its id, its unique tag, and what WatchAsync showed of it.</summary>
public sealed record FinishedRun(string RunId, string Tag, IReadOnlyList<RunUpdate> Updates);
