using System.Collections.Concurrent;
using MetaCluster.Abstractions;
using Microsoft.Extensions.Logging;

namespace MetaCluster.Coordinator.Steps;

/// <summary>
/// The live workers from the cluster's registry (membership is Orleans'), read at every round and
/// every retry, so workers can come and go during a run. A registry that does not answer (its
/// silo, or the silo holding its directory entry, is paused or dying) is asked again until the
/// wait ends: a control-plane hiccup costs time, never the run. A worker that keeps failing while
/// others succeed is evicted from the registry for a while.
/// </summary>
public sealed partial class WorkerRoster(IGrainFactory grains, ILogger<WorkerRoster> logger) : IWorkerRoster
{
    private readonly ConcurrentDictionary<string, (int Count, DateTime Since)> failures = new(StringComparer.Ordinal);
    private long lastSuccessTicks;

    /// <summary>How long to wait for a first worker to join (or for the registry to answer).</summary>
    public TimeSpan WorkerWait { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one call to the registry may take before it is made again.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Consecutive failed attempts after which a worker is evicted (while others succeed).</summary>
    public int EvictAfter { get; init; } = 5;

    /// <summary>How long an evicted worker is refused by the registry.</summary>
    public TimeSpan EvictionHold { get; init; } = TimeSpan.FromSeconds(60);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<WorkerRegistration>> LiveAsync(CancellationToken cancellationToken)
    {
        var registry = grains.GetGrain<IWorkerRegistryGrain>(0);
        var deadline = DateTime.UtcNow + WorkerWait;
        bool warned = false;
        while (true)
        {
            IReadOnlyList<WorkerRegistration>? workers = null;
            try
            {
                workers = await registry.GetWorkersAsync().WaitAsync(CallTimeout, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Timeouts, rejections, a directory registration cancelled on a paused silo: all transient here.
                if (!warned) LogRegistryUnanswered(e.GetType().Name, e.Message);
                warned = true;
            }
            if (workers is { Count: > 0 }) return SpreadOverProcesses(workers);
            if (DateTime.UtcNow > deadline)
                throw new ShardFailedException(workers is null
                    ? $"the worker registry did not answer within {WorkerWait.TotalSeconds:0} s"
                    : $"no worker joined within {WorkerWait.TotalSeconds:0} s");
            await Task.Delay(200, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public void Succeeded(string workerId)
    {
        Interlocked.Exchange(ref lastSuccessTicks, DateTime.UtcNow.Ticks);
        failures.TryRemove(workerId, out _);
    }

    /// <inheritdoc/>
    public async Task FailedAsync(IReadOnlyList<string> workerIds)
    {
        var now = DateTime.UtcNow;
        foreach (var id in workerIds)
        {
            var streak = failures.AddOrUpdate(id, (1, now), (_, f) => (f.Count + 1, f.Since));
            // Only while other workers succeed: a run that fails everywhere (bad data, a bug) must not empty the cluster.
            if (streak.Count < EvictAfter || Interlocked.Read(ref lastSuccessTicks) < streak.Since.Ticks) continue;
            failures.TryRemove(id, out _);
            try
            {
                await grains.GetGrain<IWorkerRegistryGrain>(0).EvictAsync(id, EvictionHold).WaitAsync(CallTimeout);
                LogEvicted(id, streak.Count);
            }
            catch (Exception e)
            {
                LogEvictionFailed(id, e.Message);
            }
        }
    }

    /// <summary>
    /// Orders workers so that consecutive picks fall on different processes (silos): shards and
    /// groups spread over machines before two land in one process.
    /// </summary>
    public static IReadOnlyList<WorkerRegistration> SpreadOverProcesses(IReadOnlyList<WorkerRegistration> workers) =>
        workers.GroupBy(w => w.Silo, StringComparer.Ordinal)
            .SelectMany((process, p) => process.Select((worker, i) => (worker, i, p)))
            .OrderBy(x => x.i).ThenBy(x => x.p).Select(x => x.worker).ToArray();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The worker registry did not answer ({Error}: {Message}); asking again")]
    private partial void LogRegistryUnanswered(string error, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evicted worker {WorkerId}: {Failures} failed attempts in a row while other workers succeeded")]
    private partial void LogEvicted(string workerId, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not evict worker {WorkerId}: {Reason}")]
    private partial void LogEvictionFailed(string workerId, string reason);
}
