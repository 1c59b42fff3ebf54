using Grpc.Core;
using MetaCluster.Tests.Clients.Fakes;
using Api = MetaCluster.Protos.Api.V1;

namespace MetaCluster.Tests.Clients.Library;

/// <summary>WatchAsync's events and ListRunsAsync's pages against a fake coordinator.</summary>
public sealed class WatchAndListTests
{
    private static Api.WatchRunEvent Progress(long step, Api.RunState state = Api.RunState.Training) =>
        new() { Progress = new Api.RunProgress { RunId = "run-1", State = state, Step = step, MetaSteps = 3, Loss = 1.0 / (step + 1), Workers = 2 } };

    [Fact]
    public async Task WatchYieldsProgressThenTheResultAndWaitReturnsIt()
    {
        var result = new Api.WatchRunEvent
        {
            Result = new Api.RunResult
            {
                RunId = "run-1", State = Api.RunState.Completed,
                SummaryJson = """{"task":"sinusoid","algorithm":"maml","meta_steps":3,"tasks_per_second":99.5,"eval":{"metric":"mse","episodes":10,"results":[{"inner_steps":1,"mean":0.5,"ci95":0.1}]}}""",
            },
        };
        var fake = new FakeCoordinator(_ => FakeCoordinator.Reply.Ok(Progress(1), Progress(3, Api.RunState.Evaluating), result));
        using var client = fake.Client();

        var updates = new List<RunUpdate>();
        await foreach (var update in client.WatchAsync("run-1", TestContext.Current.CancellationToken)) updates.Add(update);
        Assert.Collection(updates,
            u => Assert.Equal(1, Assert.IsType<RunProgressed>(u).Progress.Step),
            u => Assert.Equal(RunState.Evaluating, Assert.IsType<RunProgressed>(u).Progress.State),
            u => Assert.Equal(RunState.Completed, Assert.IsType<RunEnded>(u).Result.State));

        var seen = new List<long>();
        var ended = await client.WaitAsync("run-1", new SynchronousProgress(p => seen.Add(p.Step)), TestContext.Current.CancellationToken);
        Assert.True(ended.Succeeded);
        Assert.Equal([1L, 3L], seen);
        var summary = ended.Summary!;
        Assert.Equal(99.5, summary.TasksPerSecond);
        Assert.Equal(new EvaluationPoint(1, 0.5, 0.1), summary.Eval!.Results.Single());
    }

    [Fact]
    public async Task AWatchThatEndsWithoutAResultIsDataLoss()
    {
        var fake = new FakeCoordinator(_ => FakeCoordinator.Reply.Ok(Progress(1)));
        using var client = fake.Client();
        var e = await Assert.ThrowsAsync<MetaClusterException>(() => client.WaitAsync("run-1", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.DataLoss, e.StatusCode);
    }

    [Fact]
    public async Task ListRunsFollowsThePagesAndSendsTheTagFilter()
    {
        var ids = Enumerable.Range(0, 7).Select(i => $"run-{9 - i}").ToArray();
        var fake = new FakeCoordinator(call =>
        {
            var request = call.Parse(Api.ListRunsRequest.Parser);
            var rest = ids.Where(id => request.PageToken.Length == 0 || string.CompareOrdinal(id, request.PageToken) < 0).ToArray();
            var page = new Api.ListRunsResponse { NextPageToken = rest.Length > request.PageSize ? rest[request.PageSize - 1] : "" };
            page.Runs.AddRange(rest.Take(request.PageSize).Select(id => new Api.RunProgress { RunId = id, State = Api.RunState.Completed }));
            return FakeCoordinator.Reply.Ok(page);
        });
        using var client = fake.Client();
        var listed = new List<string>();
        await foreach (var run in client.ListRunsAsync(new Dictionary<string, string> { ["team"] = "x" }, pageSize: 3, TestContext.Current.CancellationToken))
            listed.Add(run.RunId);

        Assert.Equal(ids, listed);
        var requests = fake.Calls.Select(c => c.Parse(Api.ListRunsRequest.Parser)).ToArray();
        Assert.Equal(3, requests.Length);
        Assert.All(requests, r => Assert.Equal("x", r.Tags["team"]));
    }

    // Progress<T> posts to the thread pool; a test wants the reports in order before it asserts.
    private sealed class SynchronousProgress(Action<RunProgress> report) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => report(value);
    }
}
