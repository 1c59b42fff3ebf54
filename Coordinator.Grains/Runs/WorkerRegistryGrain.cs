using MetaCluster.Abstractions;
using MetaCluster.DataPlane.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// Keeps the cluster's workers. Membership is Orleans': a worker whose silo is no longer active
/// (it died, or was declared dead) is left out of the list at once, and forgotten. In a token
/// cluster only workers that prove the token (<see cref="WorkerProof"/>) are admitted; a worker
/// evicted for failing its work is refused until its hold ends.
/// </summary>
public sealed partial class WorkerRegistryGrain(IClusterMembershipService membership, IServiceProvider services, ILogger<WorkerRegistryGrain> logger)
    : Grain, IWorkerRegistryGrain
{
    private readonly SortedDictionary<string, WorkerRegistration> workers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTime> evictedUntil = new(StringComparer.Ordinal);
    private readonly HashSet<string> refused = new(StringComparer.Ordinal);

    // serve registers the token it requires; the embedded cluster has none (one process, no network).
    private string? Token => services.GetService<ApiCredentials>()?.Token;

    /// <inheritdoc/>
    public Task RegisterAsync(WorkerRegistration registration)
    {
        DelayDeactivation(TimeSpan.FromDays(3650));
        if (!WorkerProof.Verify(Token, registration.WorkerId, registration.Silo, registration.Proof))
        {
            // Logged once per worker: its heartbeat tries again every few seconds.
            if (refused.Add(registration.WorkerId)) LogRefused(registration.WorkerId, registration.Silo);
            throw new UnauthorizedAccessException($"worker {registration.WorkerId} did not prove the cluster token: give it the coordinator's --token");
        }
        if (evictedUntil.TryGetValue(registration.WorkerId, out var until))
        {
            if (DateTime.UtcNow < until)
                throw new InvalidOperationException($"worker {registration.WorkerId} was evicted for failing its work; it may register again at {until:HH:mm:ss} UTC");
            evictedUntil.Remove(registration.WorkerId);
        }
        workers[registration.WorkerId] = registration;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task UnregisterAsync(string workerId)
    {
        workers.Remove(workerId);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task EvictAsync(string workerId, TimeSpan hold)
    {
        if (workers.Remove(workerId)) LogEvicted(workerId, hold.TotalSeconds);
        evictedUntil[workerId] = DateTime.UtcNow + hold;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<WorkerRegistration>> GetWorkersAsync()
    {
        var snapshot = membership.CurrentSnapshot;
        var dead = workers.Values.Where(w => snapshot.GetSiloStatus(SiloAddress.FromParsableString(w.Silo)) != SiloStatus.Active).ToArray();
        foreach (var w in dead) workers.Remove(w.WorkerId);
        return Task.FromResult<IReadOnlyList<WorkerRegistration>>(workers.Values.ToArray());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused worker {WorkerId} on silo {Silo}: it did not prove the cluster token")]
    private partial void LogRefused(string workerId, string silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evicted worker {WorkerId} after repeated failures; it may register again in {Seconds:0} s")]
    private partial void LogEvicted(string workerId, double seconds);
}
