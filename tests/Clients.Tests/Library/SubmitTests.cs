using Grpc.Core;
using MetaCluster.Tests.Clients.Fakes;
using Api = MetaCluster.Protos.Api.V1;

namespace MetaCluster.Tests.Clients.Library;

/// <summary>What SubmitAsync puts on the wire, read back with the server's message types.</summary>
public sealed class SubmitTests
{
    private static FakeCoordinator Started() =>
        new(call => FakeCoordinator.Reply.Ok(new Api.StartRunResponse { RunId = $"run-{call.Attempt}", Created = true }));

    [Fact]
    public async Task EveryOptionSetIsSentAsItsFieldAndNothingElse()
    {
        var options = new RunOptions
        {
            Task = "images", Algorithm = "protonet", Data = ["a.zip", "b"], EvalData = ["c.zip"], EvalGroups = ["g1", "g2"], EvalClasses = "classes.txt",
            Target = "y", Rotations = false, Ways = 5, Shots = 1, Query = 15, MetaBatch = 16, InnerSteps = 3, InnerLr = 0.4, OuterLr = 0.002,
            MetaSteps = 100, EvalTasks = 0, EvalInnerSteps = [0, 1, 10], EvalQuery = 7, Workers = 3, Shards = 6, Device = "cuda:1", Seed = ulong.MaxValue,
            LogEvery = 2, ShardTimeout = 12.5, CheckpointEvery = 0, TrLambda = 0.1, TrHeads = 2, TrTau = 0.25, TrMetaData = 4, TrSampler = "random",
            GradDtype = "bf16", Kernels = "autograd", ReduceGroup = 2, ReduceTree = 4,
            ValEvery = 10, ValTasks = 50, ValInnerSteps = 3, ValFraction = 0.2, ValClasses = "val.txt", EarlyStop = 4, Tensorboard = false,
            OuterOptimizer = "sgd", LrSchedule = "cosine", MinOuterLr = 0.0005, WarmupSteps = 10, ClipGradNorm = 0, WeightDecay = 0.01,
            ImageSize = 84, Channels = 3, Invert = false, TaskColumn = "assay", Separator = "tab", Na = "mean", MultiStepLoss = true, LearnedInnerLr = false,
        };
        var fake = Started();
        using (var client = fake.Client()) await client.SubmitAsync(options, cancellationToken: TestContext.Current.CancellationToken);

        var sent = fake.Calls.Single().Parse(Api.StartRunRequest.Parser).Definition;
        var expected = new Api.RunDefinition
        {
            Task = "images", Algorithm = "protonet", EvalClasses = "classes.txt", Target = "y", Rotations = false, Ways = 5, Shots = 1, Query = 15,
            MetaBatch = 16, InnerSteps = 3, InnerLr = 0.4, OuterLr = 0.002, MetaSteps = 100, EvalTasks = 0, EvalQuery = 7, Workers = 3, Shards = 6,
            Device = "cuda:1", Seed = ulong.MaxValue, LogEvery = 2, ShardTimeout = 12.5, CheckpointEvery = 0, TrLambda = 0.1, TrHeads = 2, TrTau = 0.25,
            TrMetaData = 4, TrSampler = "random", GradDtype = "bf16", Kernels = "autograd", ReduceGroup = 2, ReduceTree = 4,
            ValEvery = 10, ValTasks = 50, ValInnerSteps = 3, ValFraction = 0.2, ValClasses = "val.txt", EarlyStop = 4, Tensorboard = false,
            OuterOptimizer = "sgd", LrSchedule = "cosine", MinOuterLr = 0.0005, WarmupSteps = 10, ClipGradNorm = 0, WeightDecay = 0.01,
            ImageSize = 84, Channels = 3, Invert = false, TaskColumn = "assay", Separator = "tab", Na = "mean", MultiStepLoss = true, LearnedInnerLr = false,
            Data = { "a.zip", "b" }, EvalData = { "c.zip" }, EvalGroups = { "g1", "g2" }, EvalInnerSteps = { 0, 1, 10 },
        };
        Assert.Equal(expected, sent);
        // Every field of the message is covered: a field added to the proto and not to RunOptions fails here.
        foreach (var field in Api.RunDefinition.Descriptor.Fields.InFieldNumberOrder())
            Assert.True(field.IsRepeated ? ((System.Collections.IList)field.Accessor.GetValue(sent)).Count > 0 : field.Accessor.HasValue(sent), field.Name);
        // Zeros and false are sent as values, not dropped as "unset".
        Assert.True(sent.HasEvalTasks && sent.HasCheckpointEvery && sent.HasRotations && sent.HasClipGradNorm);
    }

    [Fact]
    public async Task OptionsLeftUnsetAreLeftToTheCoordinatorsDefaults()
    {
        var fake = Started();
        using (var client = fake.Client()) await client.SubmitAsync(new RunOptions { MetaSteps = 20 }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(new Api.RunDefinition { MetaSteps = 20 }, fake.Calls.Single().Parse(Api.StartRunRequest.Parser).Definition);
    }

    [Fact]
    public async Task NameTagsAndRequestIdAreSentAndEachCallGetsItsOwnRequestId()
    {
        var fake = Started();
        using (var client = fake.Client())
        {
            var tags = new Dictionary<string, string> { ["team"] = "vision", ["exp"] = "7" };
            var first = await client.SubmitAsync(new RunOptions(), "baseline", tags, "my-request", TestContext.Current.CancellationToken);
            await client.SubmitAsync(new RunOptions(), cancellationToken: TestContext.Current.CancellationToken);
            await client.SubmitAsync(new RunOptions(), cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal("run-1", first.RunId);
            Assert.True(first.Created);
        }
        var requests = fake.Calls.Select(c => c.Parse(Api.StartRunRequest.Parser)).ToArray();
        Assert.Equal("baseline", requests[0].Name);
        Assert.Equal("my-request", requests[0].RequestId);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "vision", ["exp"] = "7" }, new Dictionary<string, string>(requests[0].Tags));
        Assert.NotEqual(requests[1].RequestId, requests[2].RequestId);
        Assert.All(requests.Skip(1), r => Assert.True(Guid.TryParse(r.RequestId, out _), r.RequestId));
        Assert.All(fake.Calls, c => Assert.Equal("Bearer secret", c.Authorization));
    }

    [Fact]
    public async Task GetRunMapsTheDefinitionBackToOptions()
    {
        var info = new Api.RunInfo
        {
            Progress = new Api.RunProgress { RunId = "run-1", State = Api.RunState.Training, Step = 3, MetaSteps = 9, ElapsedSeconds = 1.5 },
            Definition = new Api.RunDefinition { Task = "sinusoid", MetaSteps = 9, EvalInnerSteps = { 1, 5 }, Seed = 4, Rotations = true },
            Name = "n", Created = "2026-01-02T03:04:05.0000000+00:00", Tags = { ["k"] = "v" },
        };
        var fake = new FakeCoordinator(_ => FakeCoordinator.Reply.Ok(info));
        using var client = fake.Client();
        var run = await client.GetRunAsync("run-1", TestContext.Current.CancellationToken);
        Assert.Equal(RunState.Training, run.Progress.State);
        Assert.Equal(TimeSpan.FromSeconds(1.5), run.Progress.Elapsed);
        Assert.Equal("sinusoid", run.Options!.Task);
        Assert.Equal(9, run.Options.MetaSteps);
        Assert.Equal([1, 5], run.Options.EvalInnerSteps);
        Assert.Equal(4UL, run.Options.Seed);
        Assert.True(run.Options.Rotations);
        Assert.Null(run.Options.Algorithm);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), run.Created);
        Assert.Equal("v", run.Tags["k"]);
        Assert.Equal("run-1", fake.Calls.Single().Parse(Api.GetRunRequest.Parser).RunId);
    }

    [Fact]
    public async Task TheCoordinatorsRefusalIsAMetaClusterExceptionWithItsLine()
    {
        var fake = new FakeCoordinator(_ => FakeCoordinator.Reply.Error(StatusCode.InvalidArgument, "definition.shots: must be at least 1, got -2"));
        using var client = fake.Client();
        var e = await Assert.ThrowsAsync<MetaClusterException>(() => client.SubmitAsync(new RunOptions { Shots = -2 }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("definition.shots: must be at least 1, got -2", e.Message);
        Assert.True(e.IsUserError);
    }
}
