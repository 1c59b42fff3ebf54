using Orleans.Runtime;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// Retries a read-only grain call that failed because a silo it was routed through is going away.
/// The grain directory is spread over every silo, worker silos included: when a worker process is
/// killed, a call to a coordinator grain whose directory entry lived there (the worker registry,
/// a run) is rejected until membership declares that silo dead and the entry moves. Seen in the
/// process tests as a failed run and as "Exception was thrown by handler" from the API.
/// </summary>
public static class TransientGrainCalls
{
    /// <summary>How long a rejected call is retried before the rejection is passed on.</summary>
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(30);

    /// <summary>Calls <paramref name="call"/>, retrying it every 200 ms while it is rejected and the budget lasts.</summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> call, TimeSpan? budget = null, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + (budget ?? DefaultBudget);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (OrleansMessageRejectionException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }
}
