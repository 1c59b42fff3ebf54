using Grpc.Core;
using MetaCluster.Protos.Api.V1;

namespace MetaCluster.Tests.Processes;

/// <summary>Real processes (coordinator, workers, Redis) on loopback, with faults injected.</summary>
[Collection(ProcessCollection.Name)]
public sealed class ProcessClusterTests(RedisFixture redis, ITestOutputHelper log)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    private static Dictionary<string, string> Options(int steps, int innerSteps = 1) => new()
    {
        ["task"] = "sinusoid", ["algorithm"] = "maml", ["meta-steps"] = steps.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["meta-batch"] = "16", ["shards"] = "4", ["inner-steps"] = innerSteps.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["eval-tasks"] = "20", ["seed"] = "5", ["checkpoint-every"] = "20", ["log-every"] = "1",
    };

    // The API's definition of train-style options, as submit makes it.
    private static RunDefinition Definition(IReadOnlyDictionary<string, string> options) =>
        MetaCluster.Coordinator.Definitions.ApiRunDefinitions.ToApi(
            MetaCluster.Coordinator.Cli.TrainOptions.Parse(options.SelectMany(kv => new[] { "--" + kv.Key, kv.Value })).Run);

    [Fact]
    public async Task ACoordinatorAndTwoWorkerProcessesFinishWithTheEmbeddedRunsParameters()
    {
        await using var cluster = new ProcessCluster(redis.Address);
        await cluster.StartCoordinatorAsync();
        await cluster.StartWorkerAsync(expectedWorkers: 1);
        await cluster.StartWorkerAsync(expectedWorkers: 2);

        var options = Options(steps: 60);
        string runId = await cluster.SubmitAsync(Definition(options));
        await cluster.WaitForStepAsync(runId, 5, RunTimeout);

        // Malformed traffic while the run goes: rejected with InvalidArgument, the run goes on.
        var dataPlane = new MetaCluster.Protos.DataPlane.V1.DataPlane.DataPlaneClient(Grpc.Net.Client.GrpcChannel.ForAddress(cluster.ApiUrl));
        using (var bad = dataPlane.SubmitShardResult(cancellationToken: TestContext.Current.CancellationToken))
        {
            await bad.RequestStream.WriteAsync(new() { Gradient = new() { Name = "gradient", Data = Google.Protobuf.ByteString.CopyFrom(new byte[12]) } }, TestContext.Current.CancellationToken);
            await bad.RequestStream.CompleteAsync();
            var error = await Assert.ThrowsAsync<RpcException>(() => bad.ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        }
        var invalid = await Assert.ThrowsAsync<RpcException>(() => cluster.SubmitAsync(new RunDefinition { Shots = -2 }));
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains("definition.shots", invalid.Status.Detail);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => cluster.Client.GetRunAsync(new GetRunRequest { RunId = "run-missing" }, cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);

        var result = await cluster.WatchToEndAsync(runId, RunTimeout);
        Assert.True(result.State == RunState.Completed, result.Error + cluster.Logs());
        Assert.Contains("\"eval\"", result.SummaryJson);
        Assert.Equal(60, (await cluster.DownloadTextAsync(runId, "metrics.jsonl")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        // The trained meta-model adapts to a user's task on a worker and predicts its queries.
        var adapt = new AdaptAndPredictRequest
        {
            RunId = runId,
            SupportX = MetaCluster.DataPlane.Wire.TensorWire.ToProto([-2f, -1f, 0f, 1f, 2f], [5, 1]),
            SupportY = MetaCluster.DataPlane.Wire.TensorWire.ToProto([-1.8f, -0.9f, 0f, 0.9f, 1.8f], [5, 1]),
            QueryX = MetaCluster.DataPlane.Wire.TensorWire.ToProto([0.5f, 1.5f, -3f], [3, 1]),
            InnerSteps = 10,
        };
        var predicted = await cluster.Client.AdaptAndPredictAsync(adapt, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([3L, 1L], predicted.Predictions.Shape);
        Assert.StartsWith(predicted.WorkerId.Split('/')[0], predicted.WorkerId);
        adapt.QueryX = null;
        var missing = await Assert.ThrowsAsync<RpcException>(() => cluster.Client.AdaptAndPredictAsync(adapt, cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, missing.StatusCode);
        Assert.Contains("query_x", missing.Status.Detail);

        var final = RunComparison.Final(cluster, runId);
        var undisturbed = await RunComparison.UndisturbedAsync(options);
        Assert.Equal(60, final.Step);
        Assert.True(RunComparison.RelativeDifference(final.Theta, undisturbed.Theta) <= 1e-6);
    }

    [Fact]
    public async Task WorkersKilledThreeTimesAddedAndStoppedMidRunLoseNoStep()
    {
        await using var cluster = new ProcessCluster(redis.Address);
        await cluster.StartCoordinatorAsync();
        var a = await cluster.StartWorkerAsync(expectedWorkers: 1);
        var b = await cluster.StartWorkerAsync(expectedWorkers: 2);

        // Autograd, not the fused MLP kernel: the run must outlast three worker start-ups and four
        // faults, and at the fused kernel's speed 400 steps can end before the last one.
        var options = Options(steps: 400, innerSteps: 3);
        options["kernels"] = "autograd";
        string runId = await cluster.SubmitAsync(Definition(options));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        async Task<long> StepAsync(long step) => (await cluster.WaitForStepAsync(runId, step, RunTimeout)).Step;
        var events = new List<string>();

        long killedAt = await StepAsync(20);
        events.Add($"SIGKILL {a.Name} at step {killedAt}");
        var stall = System.Diagnostics.Stopwatch.StartNew();
        a.Kill();
        // Recovery: the step in flight on the dead worker is reassigned; time until two more steps are done.
        await StepAsync(killedAt + 2);
        events.Add($"two more steps {stall.Elapsed.TotalSeconds:0.0} s after the SIGKILL (recovery)");
        var c = await cluster.StartWorkerAsync(expectedWorkers: 2);
        events.Add($"SIGKILL {b.Name} at step {await StepAsync(0)}");
        b.Kill();
        var d = await cluster.StartWorkerAsync(expectedWorkers: 2);
        events.Add($"added a worker at step {await StepAsync(0)}");
        await cluster.StartWorkerAsync(expectedWorkers: 3);
        events.Add($"SIGKILL {c.Name} at step {await StepAsync(0)}");
        c.Kill();
        events.Add($"SIGTERM {d.Name} at step {await StepAsync(0)}");
        d.Terminate();
        Assert.Equal(0, await d.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        long lastFaultStep = await StepAsync(0);

        var result = await cluster.WatchToEndAsync(runId, RunTimeout);
        foreach (var e in events) log.WriteLine(e);
        log.WriteLine($"run finished after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(result.State == RunState.Completed, result.Error + cluster.Logs());
        Assert.True(lastFaultStep < 400, "every fault must hit the run while it trains, or the test proves nothing");

        var final = RunComparison.Final(cluster, runId);
        var undisturbed = await RunComparison.UndisturbedAsync(options);
        Assert.Equal(400, final.Step);
        Assert.Equal(400, (await cluster.DownloadTextAsync(runId, "metrics.jsonl")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.True(RunComparison.RelativeDifference(final.Theta, undisturbed.Theta) <= 1e-6);
    }

    [Fact]
    public async Task GroupsRelayedBetweenWorkerProcessesSurviveAKilledProcessWithTheEmbeddedRunsParameters()
    {
        await using var cluster = new ProcessCluster(redis.Address);
        await cluster.StartCoordinatorAsync();
        var a = await cluster.StartWorkerAsync(expectedWorkers: 1);
        await cluster.StartWorkerAsync(expectedWorkers: 2);

        // Four shards in two groups of two, one per worker process; the groups meet at one process's
        // relay (over the network, between processes), which sends the coordinator one gradient.
        var options = Options(steps: 150, innerSteps: 3);
        options["kernels"] = "autograd";
        options["reduce-group"] = "2";
        options["reduce-tree"] = "2";
        string runId = await cluster.SubmitAsync(Definition(options));
        long killedAt = (await cluster.WaitForStepAsync(runId, 20, RunTimeout)).Step;
        a.Kill();
        long recovered = (await cluster.WaitForStepAsync(runId, killedAt + 2, RunTimeout)).Step;
        Assert.True(recovered < 150, "the kill must hit the run while it trains, or the test proves nothing");
        await cluster.StartWorkerAsync(expectedWorkers: 2);

        var result = await cluster.WatchToEndAsync(runId, RunTimeout);
        Assert.True(result.State == RunState.Completed, result.Error + cluster.Logs());
        Assert.Contains("\"reduce_group\": 2", result.SummaryJson);
        Assert.Contains("\"reduce_tree\": 2", result.SummaryJson);
        var final = RunComparison.Final(cluster, runId);
        var undisturbed = await RunComparison.UndisturbedAsync(options);
        Assert.Equal(150, final.Step);
        Assert.True(RunComparison.RelativeDifference(final.Theta, undisturbed.Theta) <= 1e-6);
    }

    [Fact]
    public async Task ACoordinatorKilledMidRunResumesFromItsCheckpointToTheSameParameters()
    {
        await using var cluster = new ProcessCluster(redis.Address);
        var first = await cluster.StartCoordinatorAsync();
        await cluster.StartWorkerAsync(expectedWorkers: 1);
        await cluster.StartWorkerAsync(expectedWorkers: 2);

        var options = Options(steps: 200, innerSteps: 3);
        string runId = await cluster.SubmitAsync(Definition(options));
        long killedAt = (await cluster.WaitForStepAsync(runId, 50, RunTimeout)).Step;
        first.Kill();
        Assert.True(killedAt < 200);

        var restart = System.Diagnostics.Stopwatch.StartNew();
        await cluster.StartCoordinatorAsync();
        log.WriteLine($"coordinator serving again {restart.Elapsed.TotalSeconds:0.0} s after the restart began");
        await cluster.WaitForWorkersAsync(2);
        long resumedFrom = killedAt / 20 * 20;
        await cluster.WaitForStepAsync(runId, resumedFrom + 1, RunTimeout);
        log.WriteLine($"first step after the checkpoint of step {resumedFrom} done {restart.Elapsed.TotalSeconds:0.0} s after the restart began ({killedAt - resumedFrom} steps recomputed)");
        var result = await cluster.WatchToEndAsync(runId, RunTimeout);
        log.WriteLine($"killed at step {killedAt}; restarted and finished in {restart.Elapsed.TotalSeconds:0.0} s");
        Assert.True(result.State == RunState.Completed, result.Error + cluster.Logs());
        Assert.Contains("resumes from its checkpoint", cluster.Coordinator!.Output);

        var final = RunComparison.Final(cluster, runId);
        var undisturbed = await RunComparison.UndisturbedAsync(options);
        Assert.Equal(200, final.Step);
        Assert.True(RunComparison.RelativeDifference(final.Theta, undisturbed.Theta) <= 1e-6);
        var steps = (await cluster.DownloadTextAsync(runId, "metrics.jsonl")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64()).ToArray();
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), steps);
    }

    [Fact]
    public async Task ATrLearnerRunWithWorkerProcessesKilledMidRunFinishesWithTheEmbeddedRunsParameters()
    {
        await using var cluster = new ProcessCluster(redis.Address);
        await cluster.StartCoordinatorAsync();
        var a = await cluster.StartWorkerAsync(expectedWorkers: 1);
        var b = await cluster.StartWorkerAsync(expectedWorkers: 2);

        var options = Options(steps: 150, innerSteps: 2);
        options["tr-lambda"] = "0.2";
        options["tr-meta-data"] = "4";
        string runId = await cluster.SubmitAsync(Definition(options));

        // Kept graphs die with their process: the coordinator must redo the step from phase 1.
        long firstKill = (await cluster.WaitForStepAsync(runId, 20, RunTimeout)).Step;
        a.Kill();
        await cluster.StartWorkerAsync(expectedWorkers: 2);
        await cluster.WaitForStepAsync(runId, firstKill + 10, RunTimeout);
        b.Kill();
        await cluster.StartWorkerAsync(expectedWorkers: 2);
        long lastKill = (await cluster.WaitForStepAsync(runId, 0, RunTimeout)).Step;

        var result = await cluster.WatchToEndAsync(runId, RunTimeout);
        Assert.True(result.State == RunState.Completed, result.Error + cluster.Logs());
        Assert.True(lastKill < 150, "the faults must hit the run while it trains, or the test proves nothing");
        Assert.Contains("\"tr_lambda\": 0.2", result.SummaryJson);
        Assert.Contains("\"matrix\"", (await cluster.DownloadTextAsync(runId, "relation.json")));
        Assert.All((await cluster.DownloadTextAsync(runId, "metrics.jsonl")).Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.Contains("\"tr_loss\"", l));

        var final = RunComparison.Final(cluster, runId);
        var undisturbed = await RunComparison.UndisturbedAsync(options);
        Assert.Equal(150, final.Step);
        Assert.True(RunComparison.RelativeDifference(final.Theta, undisturbed.Theta) <= 1e-6);
    }

    [Fact]
    public async Task OnANonLoopbackBindingTheApiRequiresCredentials()
    {
        // Without credentials the coordinator refuses to start.
        var open = ManagedProcess.Start("open-coordinator", "dotnet",
            [RepositoryPaths.Binary("Coordinator"), "serve", "--redis", redis.Address, "--api", "http://0.0.0.0:7999"]);
        await using (open)
        {
            Assert.Equal(2, await open.WaitForExitAsync(TimeSpan.FromMinutes(1)));
            Assert.Contains("not a loopback address", open.Output);
        }

        // With a token, bound to 0.0.0.0 (and reached over loopback): calls need it.
        await using var cluster = new ProcessCluster(redis.Address, token: "s3cret-token");
        await cluster.StartCoordinatorAsync(api: "0.0.0.0");
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(cluster.ApiUrl);
        var anonymous = new ClusterApi.ClusterApiClient(channel);
        var refused = await Assert.ThrowsAsync<RpcException>(() => anonymous.ListRunsAsync(new ListRunsRequest(), cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        var wrong = await Assert.ThrowsAsync<RpcException>(() =>
            anonymous.ListRunsAsync(new ListRunsRequest(), new Metadata { { "authorization", "Bearer nope" } }, cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        var dataPlane = new MetaCluster.Protos.DataPlane.V1.DataPlane.DataPlaneClient(channel);
        var call = dataPlane.GetParameters(new() { RunId = "run-x", Version = 0 }, cancellationToken: TestContext.Current.CancellationToken);
        var refusedData = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Unauthenticated, refusedData.StatusCode);

        await cluster.Client.ListRunsAsync(new ListRunsRequest(), cancellationToken: TestContext.Current.CancellationToken);
        var health = new Grpc.Health.V1.Health.HealthClient(channel);
        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new(), cancellationToken: TestContext.Current.CancellationToken)).Status);
    }
}
