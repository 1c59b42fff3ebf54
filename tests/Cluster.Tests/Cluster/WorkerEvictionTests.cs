using System.Text.Json;
using MetaCluster.Abstractions;
using MetaCluster.Embedded;
using MetaCluster.Testing.Faults;

namespace MetaCluster.Tests.Cluster;

/// <summary>A worker that fails every shard while others succeed is evicted, not tried at every step.</summary>
[Collection(ClusterCollection.Name)]
public sealed class WorkerEvictionTests
{
    [Fact]
    public async Task AWorkerThatKeepsFailingIsEvictedAndTheRunEndsWithFewRetries()
    {
        string outDir = ClusterRuns.TempDirectory();
        var run = ClusterRuns.Sinusoid(workers: 2, shards: 4, steps: 40, outDir);
        var faults = new WorkerFaults();
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions(run.Workers, Threads: 1) { ConfigureServices = faults.InjectInto },
            TestContext.Current.CancellationToken);
        const string broken = "embedded/cpu/1";
        int failed = 0;
        faults.BeforeShard = (worker, _) => worker == broken ? new InvalidOperationException($"injected: {Interlocked.Increment(ref failed)}") : null;

        var status = await cluster.RunToEndAsync(run, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        long retries = summary.RootElement.GetProperty("shard_retries").GetInt64();
        // Evicted after 5 failures in a row, refused for a minute: not one retry per step for 40 steps.
        Assert.InRange(retries, 1, 12);
        Assert.InRange(failed, 5, 12);
        var listed = await cluster.Grains.GetGrain<IWorkerRegistryGrain>(0).GetWorkersAsync();
        Assert.Equal(["embedded/cpu/0"], listed.Select(w => w.WorkerId));
    }
}
