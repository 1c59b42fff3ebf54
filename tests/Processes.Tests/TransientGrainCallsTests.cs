using MetaCluster.Coordinator.Runs;
using Orleans.Runtime;

namespace MetaCluster.Tests.Processes;

public sealed class TransientGrainCallsTests
{
    [Fact]
    public async Task ARejectedCallIsRetriedUntilItGoesThrough()
    {
        int calls = 0;
        var result = await TransientGrainCalls.RetryAsync(() =>
            ++calls < 3 ? throw new SiloUnavailableException("silo going away") : Task.FromResult(42), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(42, result);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task RejectionsPastTheBudgetAndOtherErrorsArePassedOn()
    {
        int calls = 0;
        await Assert.ThrowsAsync<SiloUnavailableException>(() => TransientGrainCalls.RetryAsync<int>(() =>
        {
            calls++;
            throw new SiloUnavailableException("gone for good");
        }, TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken));
        Assert.InRange(calls, 2, 10);

        calls = 0;
        await Assert.ThrowsAsync<InvalidOperationException>(() => TransientGrainCalls.RetryAsync<int>(() =>
        {
            calls++;
            throw new InvalidOperationException("a bug, not a silo");
        }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(1, calls);
    }
}
