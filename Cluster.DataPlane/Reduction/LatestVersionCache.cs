namespace MetaCluster.DataPlane.Reduction;

/// <summary>
/// Each run's latest parameter version as one shared fetch: concurrent callers asking for the same
/// version share one fetch; a newer version replaces the held one (an older one is fetched for its
/// caller but not kept); a failed or cancelled fetch is not kept either. Used where versions are
/// fetched: a worker process's parameter cache and a relay's parameters.
/// </summary>
public sealed class LatestVersionCache<T>
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, (long Version, Task<T> Fetch)> latest = [];

    /// <summary>Version <paramref name="version"/> of a run, from the held fetch or a new one made by <paramref name="fetch"/>.</summary>
    public Task<T> GetAsync(string runId, long version, Func<Task<T>> fetch)
    {
        lock (gate)
        {
            if (latest.TryGetValue(runId, out var entry) && entry.Version == version && !entry.Fetch.IsFaulted && !entry.Fetch.IsCanceled)
                return entry.Fetch;
            var started = fetch();
            // The previous version is not disposed here: work on it may still be running.
            if (!latest.TryGetValue(runId, out entry) || entry.Version <= version) latest[runId] = (version, started);
            return started;
        }
    }

    /// <summary>Forgets a run's held version.</summary>
    public void Forget(string runId)
    {
        lock (gate) latest.Remove(runId);
    }
}
