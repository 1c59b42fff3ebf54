using Grpc.Core;
using MetaCluster.Tests.Clients.Fakes;
using Api = MetaCluster.Protos.Api.V1;

namespace MetaCluster.Tests.Clients.Library;

/// <summary>The channel's retry policy: UNAVAILABLE is retried with the same request, nothing else is.</summary>
public sealed class RetryPolicyTests
{
    [Fact]
    public async Task UnavailableIsRetriedWithTheSameRequestIdSoOnlyOneRunStarts()
    {
        var fake = new FakeCoordinator(call => call.Attempt <= 2
            ? FakeCoordinator.Reply.Error(StatusCode.Unavailable, "restarting")
            : FakeCoordinator.Reply.Ok(new Api.StartRunResponse { RunId = "run-1", Created = true }));
        using var client = fake.Client();
        var run = await client.SubmitAsync(new RunOptions { MetaSteps = 5 }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("run-1", run.RunId);
        var requests = fake.Calls.Select(c => c.Parse(Api.StartRunRequest.Parser)).ToArray();
        Assert.Equal(3, requests.Length);
        Assert.Single(requests.Select(r => r.RequestId).Distinct());
        Assert.All(requests, r => Assert.Equal(5, r.Definition.MetaSteps));
    }

    [Theory]
    [InlineData(StatusCode.InvalidArgument)]
    [InlineData(StatusCode.NotFound)]
    [InlineData(StatusCode.Internal)]
    [InlineData(StatusCode.Unauthenticated)]
    public async Task OtherFailuresAreNotRetried(StatusCode status)
    {
        var fake = new FakeCoordinator(_ => FakeCoordinator.Reply.Error(status, "the server's line"));
        using var client = fake.Client();
        var e = await Assert.ThrowsAsync<MetaClusterException>(() => client.ListWorkersAsync(TestContext.Current.CancellationToken));
        Assert.Equal(status, e.StatusCode);
        Assert.Contains("the server's line", e.Message);
        Assert.Single(fake.Calls);
    }

    [Fact]
    public async Task AnUnreachableCoordinatorIsUnavailableAfterTheAttemptsAndNamedInTheMessage()
    {
        var fake = new FakeCoordinator(_ => FakeCoordinator.Reply.Error(StatusCode.Unavailable, "connection refused"));
        using var client = fake.Client(maxAttempts: 3);
        var e = await Assert.ThrowsAsync<MetaClusterException>(() => client.ListWorkersAsync(TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.Equal("cannot reach the coordinator at http://coordinator.test:7100/: connection refused", e.Message);
        Assert.Equal(3, fake.Calls.Count);
    }
}
