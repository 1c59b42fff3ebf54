using Grpc.Core;
using MetaCluster.DataPlane.Wire;
using MetaCluster.Tests.Clients.Fakes;
using Api = MetaCluster.Protos.Api.V1;

namespace MetaCluster.Tests.Clients.EndToEnd;

/// <summary>The library against a real <c>Coordinator serve</c> and TaskWorker process on loopback.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClientEndToEndTests(ClusterFixture fixture)
{
    private static CancellationToken Timeout(int minutes = 4) =>
        CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken, new CancellationTokenSource(TimeSpan.FromMinutes(minutes)).Token).Token;

    [Fact]
    public async Task ARunIsWatchedToItsEndThroughWatchAsyncAndFoundByItsTag()
    {
        var run = await fixture.FinishedRunAsync();
        var ct = Timeout();

        // Progress first (steps never go back), then exactly one result, last.
        Assert.IsType<RunEnded>(run.Updates[^1]);
        Assert.All(run.Updates.SkipLast(1), u => Assert.IsType<RunProgressed>(u));
        var steps = run.Updates.OfType<RunProgressed>().Select(p => p.Progress.Step).ToArray();
        Assert.NotEmpty(steps);
        Assert.Equal(steps.Order(), steps);
        var result = ((RunEnded)run.Updates[^1]).Result;
        Assert.True(result.Succeeded, result.Error + fixture.Cluster.Logs());
        Assert.Equal(20, result.Summary!.MetaSteps);
        Assert.Equal("mse", result.Summary.Eval!.Metric);
        Assert.Equal(10, result.Summary.Eval.Episodes);

        using var client = fixture.Client();
        var tagged = new List<RunProgress>();
        await foreach (var r in client.ListRunsAsync(new Dictionary<string, string> { ["suite"] = run.Tag }, cancellationToken: ct)) tagged.Add(r);
        Assert.Equal(run.RunId, Assert.Single(tagged).RunId);
        Assert.Equal(RunState.Completed, tagged[0].State);
        Assert.Equal("clients-e2e", tagged[0].Name);
        // One run per page still reaches it: the pages are followed.
        var all = new List<string>();
        await foreach (var r in client.ListRunsAsync(pageSize: 1, cancellationToken: ct)) all.Add(r.RunId);
        Assert.Contains(run.RunId, all);
        Assert.Equal(all.Distinct(), all);

        var info = await client.GetRunAsync(run.RunId, ct);
        Assert.Equal(20, info.Options!.MetaSteps);
        Assert.Equal("sinusoid", info.Options.Task);
        Assert.Equal(run.Tag, info.Tags["suite"]);
        Assert.Equal(result.SummaryJson, info.SummaryJson);
        Assert.Equal(RunState.Completed, (await client.WaitAsync(run.RunId, cancellationToken: ct)).State);
    }

    [Fact]
    public async Task DownloadCopiesEveryFileCheckpointsIncludedWithTheListedSizesAndBytes()
    {
        var run = await fixture.FinishedRunAsync();
        var ct = Timeout();
        using var client = fixture.Client();
        using var temp = new TempDirectory();

        var listed = await client.ListFilesAsync(run.RunId, ct);
        var done = await client.DownloadAsync(run.RunId, temp.Path, ct);

        Assert.Contains(listed, f => f.Path.StartsWith("checkpoints/", StringComparison.Ordinal));
        Assert.Contains(listed, f => f.Path == "summary.json");
        Assert.Equal(listed.Select(f => (f.Path, f.Size)), done.Select(f => (f.Path, f.Size)));
        var onDisk = Directory.GetFiles(temp.Path, "*", SearchOption.AllDirectories)
            .Select(f => (Path: Path.GetRelativePath(temp.Path, f).Replace(Path.DirectorySeparatorChar, '/'), Size: new FileInfo(f).Length))
            .OrderBy(f => f.Path, StringComparer.Ordinal);
        Assert.Equal(listed.Select(f => (f.Path, f.Size)).OrderBy(f => f.Path, StringComparer.Ordinal), onDisk);
        foreach (var file in listed)
            Assert.Equal(File.ReadAllBytes(Path.Combine(fixture.Cluster.RunDirectory(run.RunId), file.Path)), File.ReadAllBytes(Path.Combine(temp.Path, file.Path)));
    }

    [Fact]
    public async Task AnInterruptedDownloadContinuesFromItsPartFileByOffset()
    {
        var run = await fixture.FinishedRunAsync();
        var ct = Timeout();
        using var client = fixture.Client();
        using var temp = new TempDirectory();
        var largest = (await client.ListFilesAsync(run.RunId, ct)).MaxBy(f => f.Size)!;
        var original = File.ReadAllBytes(Path.Combine(fixture.Cluster.RunDirectory(run.RunId), largest.Path));
        int half = original.Length / 2;
        Assert.True(half > 0, $"{largest.Path} is empty");

        // Half a file "arrived" before the interruption; zeros, not its bytes, so only a resumption by offset keeps them.
        string target = Path.Combine(temp.Path, largest.Path);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.WriteAllBytes(target + ".part", new byte[half]);
        var done = await client.DownloadAsync(run.RunId, temp.Path, ct);

        Assert.Equal(half, done.Single(f => f.Path == largest.Path).ResumedFrom);
        var written = File.ReadAllBytes(target);
        Assert.Equal(original.Length, written.Length);
        Assert.Equal(new byte[half], written[..half]);
        Assert.Equal(original[half..], written[half..]);
        Assert.False(File.Exists(target + ".part"));
        Assert.All(done.Where(f => f.Path != largest.Path), f => Assert.Equal(0, f.ResumedFrom));

        // Without a .part file a download is whole again.
        await client.DownloadAsync(run.RunId, temp.Path, ct);
        Assert.Equal(original, File.ReadAllBytes(target));
    }

    [Fact]
    public async Task AdaptAndPredictGivesTheSamePredictionsAsTheApiCalledDirectly()
    {
        var run = await fixture.FinishedRunAsync();
        var ct = Timeout();
        using var client = fixture.Client();
        float[] supportX = [-2f, -1f, 0f, 1f, 2f], supportY = [-1.8f, -0.9f, 0f, 0.9f, 1.8f], queryX = [0.5f, 1.5f, -3f, 4f];

        var prediction = await client.AdaptAndPredictAsync(run.RunId, FloatTensor.Column(supportX), FloatTensor.Column(supportY), FloatTensor.Column(queryX),
            innerSteps: 5, ct);
        var direct = await fixture.Cluster.Client.AdaptAndPredictAsync(new Api.AdaptAndPredictRequest
        {
            RunId = run.RunId, InnerSteps = 5,
            SupportX = TensorWire.ToProto(supportX, [5, 1]), SupportY = TensorWire.ToProto(supportY, [5, 1]), QueryX = TensorWire.ToProto(queryX, [4, 1]),
        }, cancellationToken: ct);

        Assert.Equal([4, 1], prediction.Predictions.Shape);
        Assert.Equal([4L, 1L], direct.Predictions.Shape);
        float[] expected = TensorWire.ToFloats(direct.Predictions, "predictions");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - prediction.Predictions.Values[i]) <= 1e-5f * (1 + Math.Abs(expected[i])), $"query {i}: {prediction.Predictions.Values[i]} vs {expected[i]}");
        Assert.All(prediction.Predictions.Values, v => Assert.True(float.IsFinite(v)));
        Assert.NotEmpty(prediction.WorkerId);

        var wrong = await Assert.ThrowsAsync<MetaClusterException>(() => client.AdaptAndPredictAsync(run.RunId, FloatTensor.Column(supportX),
            FloatTensor.Column(supportY), new FloatTensor(new float[8], [4, 2]), cancellationToken: ct));
        Assert.Equal(StatusCode.InvalidArgument, wrong.StatusCode);
    }

    [Fact]
    public async Task AnInvalidDefinitionIsRefusedWithInvalidArgumentNamingTheField()
    {
        using var client = fixture.Client();
        var e = await Assert.ThrowsAsync<MetaClusterException>(() => client.SubmitAsync(
            new RunOptions { Task = TaskFamilies.Sinusoid, Algorithm = Algorithms.ProtoNet, MetaSteps = 5 }, cancellationToken: Timeout()));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("definition.algorithm", e.Message);
        Assert.DoesNotContain('\n', e.Message);

        var missing = await Assert.ThrowsAsync<MetaClusterException>(() => client.GetRunAsync("run-missing", Timeout()));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task ARequestIdSentTwiceStartsOneRun()
    {
        using var client = fixture.Client();
        var ct = Timeout();
        string requestId = Guid.NewGuid().ToString("N");
        var options = new RunOptions { MetaSteps = 5, EvalTasks = 0, MetaBatch = 4 };
        var first = await client.SubmitAsync(options, requestId: requestId, cancellationToken: ct);
        var again = await client.SubmitAsync(options, requestId: requestId, cancellationToken: ct);
        Assert.True(first.Created);
        Assert.False(again.Created);
        Assert.Equal(first.RunId, again.RunId);
        Assert.Equal(RunState.Completed, (await first.WaitAsync(cancellationToken: ct)).State);
    }
}
