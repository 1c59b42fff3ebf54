using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using MetaCluster.Protos.Api.V1;

namespace MetaCluster.Tests.Processes;

/// <summary>
/// The public API as a remote user meets it, against a real <c>serve</c> and worker process:
/// idempotent starts, names and tags, pages, a run's files downloaded from any offset, server
/// reflection, definitions refused before anything starts, and a stop that holds at any point and
/// across a coordinator restart.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ClusterApiTests(RedisFixture redis)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    private static RunDefinition Short(int steps = 20) => new()
    {
        Task = "sinusoid", Algorithm = "maml", MetaSteps = steps, MetaBatch = 8, Shards = 2, EvalTasks = 10, Seed = 7, CheckpointEvery = 10, LogEvery = 1,
    };

    [Fact]
    public async Task ARemoteUserStartsOnceFindsRunsByTagAndDownloadsAnyFileFromAnyOffset()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = new ProcessCluster(redis.Address);
        await cluster.StartCoordinatorAsync();
        await cluster.StartWorkerAsync(expectedWorkers: 1);
        var api = cluster.Client;

        var first = new StartRunRequest { Definition = Short(), RequestId = "req-1", Name = "baseline", Tags = { ["experiment"] = "a", ["seed"] = "7" } };
        var started = await api.StartRunAsync(first, cancellationToken: ct);
        Assert.True(started.Created);
        // A retry after a lost answer gets the same run; the same id for another definition is refused.
        var again = await api.StartRunAsync(first, cancellationToken: ct);
        Assert.Equal((started.RunId, false), (again.RunId, again.Created));
        var reused = first.Clone();
        reused.Definition.MetaSteps = 21;
        Assert.Contains("request_id", (await Assert.ThrowsAsync<RpcException>(() => api.StartRunAsync(reused, cancellationToken: ct).ResponseAsync)).Status.Detail);
        var second = await api.StartRunAsync(new StartRunRequest { Definition = Short(), RequestId = "req-2", Tags = { ["experiment"] = "b" } }, cancellationToken: ct);

        Assert.Equal(RunState.Completed, (await cluster.WatchToEndAsync(started.RunId, RunTimeout)).State);
        Assert.Equal(RunState.Completed, (await cluster.WatchToEndAsync(second.RunId, RunTimeout)).State);

        var tagged = await api.ListRunsAsync(new ListRunsRequest { Tags = { ["experiment"] = "a" } }, cancellationToken: ct);
        Assert.Equal([started.RunId], tagged.Runs.Select(r => r.RunId));
        Assert.Equal(("baseline", "a"), (tagged.Runs[0].Name, tagged.Runs[0].Tags["experiment"]));
        var page1 = await api.ListRunsAsync(new ListRunsRequest { PageSize = 1 }, cancellationToken: ct);
        var page2 = await api.ListRunsAsync(new ListRunsRequest { PageSize = 1, PageToken = page1.NextPageToken }, cancellationToken: ct);
        Assert.Equal([second.RunId, started.RunId], page1.Runs.Concat(page2.Runs).Select(r => r.RunId)); // newest first
        Assert.Equal("", page2.NextPageToken);

        var info = await api.GetRunAsync(new GetRunRequest { RunId = started.RunId }, cancellationToken: ct);
        Assert.Equal(("baseline", "a", 20), (info.Name, info.Tags["experiment"], info.Definition.MetaSteps));
        Assert.Equal(RunState.Completed, info.Progress.State);
        Assert.Contains("\"eval\"", info.SummaryJson);
        Assert.True(DateTimeOffset.TryParse(info.Created, out _), info.Created);

        // Every file of the run directory, checkpoints included, byte for byte, from any offset.
        string runDirectory = Path.Combine(cluster.StateDirectory, "runs", started.RunId);
        var files = (await api.ListRunFilesAsync(new ListRunFilesRequest { RunId = started.RunId }, cancellationToken: ct)).Files;
        Assert.Contains(files, f => f.Path == "checkpoints/final.ckpt");
        Assert.Contains(files, f => f.Path == "metrics.jsonl");
        foreach (var file in files)
            Assert.Equal(new FileInfo(Path.Combine(runDirectory, file.Path)).Length, file.Size);
        var checkpoint = File.ReadAllBytes(Path.Combine(runDirectory, "checkpoints", "final.ckpt"));
        Assert.Equal(checkpoint[(checkpoint.Length / 2)..], await DownloadAsync(api, started.RunId, "checkpoints/final.ckpt", checkpoint.Length / 2));
        Assert.Equal(checkpoint, await DownloadAsync(api, started.RunId, "checkpoints/final.ckpt", 0));
        foreach (var outside in new[] { "../run-record.json", "/etc/passwd", "checkpoints/../../x" })
            Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => DownloadAsync(api, started.RunId, outside, 0))).StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => DownloadAsync(api, started.RunId, "metrics.jsonl", 1L << 40))).StatusCode);

        // Discoverable by grpcurl and IDEs.
        var reflection = new ServerReflection.ServerReflectionClient(GrpcChannel.ForAddress(cluster.ApiUrl));
        using var call = reflection.ServerReflectionInfo(cancellationToken: ct);
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" }, ct);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(ct));
        Assert.Contains("metacluster.api.v1.ClusterApi", call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name));
    }

    [Fact]
    public async Task DefinitionsThatCannotWorkOrWouldExhaustTheClusterAreRefusedAtOnceNamingTheField()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = new ProcessCluster(redis.Address);
        await cluster.StartCoordinatorAsync();
        var api = cluster.Client;
        foreach (var (definition, field) in new (RunDefinition, string)[]
                 {
                     (WithAlgorithm("protonet"), "definition.algorithm"),
                     (WithMetaBatch(1_000_000), "definition.meta_batch"),
                     (WithData(new string('x', 3 << 20)), "definition.data"),
                     (WithData("/etc/passwd"), "definition.data"),
                 })
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var refused = await Assert.ThrowsAsync<RpcException>(() => api.StartRunAsync(new StartRunRequest { Definition = definition, RequestId = Guid.NewGuid().ToString() }, cancellationToken: ct).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
            Assert.StartsWith(field, refused.Status.Detail);
            Assert.DoesNotContain('\n', refused.Status.Detail);
            Assert.True(refused.Status.Detail.Length < 400, refused.Status.Detail[..Math.Min(400, refused.Status.Detail.Length)]);
            // Refused before anything starts (no worker is even asked): well within a second on an idle
            // machine; the bound leaves room for a loaded CI host, not for a run that starts and fails.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{field} took {clock.Elapsed}");
        }
        Assert.Empty((await api.ListRunsAsync(new ListRunsRequest(), cancellationToken: ct)).Runs);
        Assert.False(Directory.Exists(Path.Combine(cluster.StateDirectory, "runs")) && Directory.EnumerateFileSystemEntries(Path.Combine(cluster.StateDirectory, "runs")).Any(), "a refused run wrote something");
    }

    [Fact]
    public async Task AStopHoldsBeforeTheFirstStepMidRunAndAcrossACoordinatorRestart()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = new ProcessCluster(redis.Address);
        await cluster.StartCoordinatorAsync();
        var api = cluster.Client;

        // No worker yet: the run waits at step 0, and a stop ends it there.
        string waiting = await cluster.SubmitAsync(Short());
        await api.StopRunAsync(new StopRunRequest { RunId = waiting }, cancellationToken: ct);
        Assert.Equal(RunState.Stopped, (await cluster.WatchToEndAsync(waiting, TimeSpan.FromSeconds(30))).State);

        await cluster.StartWorkerAsync(expectedWorkers: 1);
        string running = await cluster.SubmitAsync(Short(steps: 1_000_000));
        await cluster.WaitForStepAsync(running, 3, RunTimeout);
        await api.StopRunAsync(new StopRunRequest { RunId = running }, cancellationToken: ct);
        var stopped = await cluster.WatchToEndAsync(running, TimeSpan.FromSeconds(60));
        Assert.Equal(RunState.Stopped, stopped.State);
        long stepAtStop = (await api.GetRunAsync(new GetRunRequest { RunId = running }, cancellationToken: ct)).Progress.Step;

        // A restarted coordinator does not resume what was stopped.
        cluster.Coordinator!.Kill();
        await cluster.StartCoordinatorAsync();
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        foreach (var id in new[] { waiting, running })
        {
            var info = await cluster.Client.GetRunAsync(new GetRunRequest { RunId = id }, cancellationToken: ct);
            Assert.Equal(RunState.Stopped, info.Progress.State);
        }
        Assert.Equal(stepAtStop, (await cluster.Client.GetRunAsync(new GetRunRequest { RunId = running }, cancellationToken: ct)).Progress.Step);
    }

    private static RunDefinition WithAlgorithm(string algorithm) { var d = Short(); d.Algorithm = algorithm; return d; }

    private static RunDefinition WithMetaBatch(int tasks) { var d = Short(); d.MetaBatch = tasks; d.Shards = tasks; return d; }

    private static RunDefinition WithData(string path) { var d = Short(); d.Task = "tabular"; d.Data.Add(path); return d; }

    private static async Task<byte[]> DownloadAsync(ClusterApi.ClusterApiClient api, string runId, string path, long offset)
    {
        using var call = api.DownloadRunFile(new DownloadRunFileRequest { RunId = runId, Path = path, Offset = offset });
        var bytes = new MemoryStream();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync())
        {
            Assert.Equal(offset + bytes.Length, chunk.Offset);
            chunk.Data.WriteTo(bytes);
        }
        return bytes.ToArray();
    }
}
