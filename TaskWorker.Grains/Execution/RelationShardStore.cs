using System.Collections.Concurrent;
using MetaCluster.Learning.Relations;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.TaskWorker.Execution;

/// <summary>
/// The graphs a worker process keeps between the phases of TRLearner's two-phase step, keyed by
/// (run, step, shard, attempt) of the shard's accepted adapt phase. A graph leaves the store when
/// it is backpropagated, when the same run keeps a graph of a later step or a later attempt at the
/// same shard (the coordinator has moved on), or when it has waited longer than <see cref="TimeToLive"/> (a step lost with its
/// coordinator or abandoned after a failure), so a lost step never leaks memory for long.
/// </summary>
public sealed class RelationShardStore : IDisposable
{
    private readonly ConcurrentDictionary<(string Run, long Step, int Shard, int Attempt), Entry> kept = new();
    private readonly Timer sweeper;

    /// <summary>Creates the store and its periodic sweep.</summary>
    public RelationShardStore()
    {
        sweeper = new Timer(_ => Sweep(DateTime.UtcNow), null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
    }

    /// <summary>How long a kept graph may wait for its next phase.</summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Graphs kept now.</summary>
    public int Count => kept.Count;

    /// <summary>
    /// Keeps a shard's graph under its key, and drops the graphs the coordinator has given up on:
    /// the run's earlier steps, and earlier attempts at the same shard of this step.
    /// </summary>
    public void Keep(ShardKey key, RelationShard shard)
    {
        foreach (var old in kept.Keys.Where(k => k.Run == key.RunId && (k.Step < key.Step || (k.Step == key.Step && k.Shard == key.Shard && k.Attempt < key.Attempt))).ToArray())
            Evict(old);
        var entry = new Entry(shard) { LastUsed = DateTime.UtcNow };
        var id = Id(key);
        if (!kept.TryAdd(id, entry))
        {
            shard.Dispose();
            throw new InvalidOperationException($"a graph for run {key.RunId} step {key.Step} shard {key.Shard} attempt {key.Attempt} is already kept");
        }
    }

    /// <summary>
    /// Runs <paramref name="use"/> on the kept graph of <paramref name="key"/>; with
    /// <paramref name="release"/> the graph leaves the store afterwards (and is disposed).
    /// Throws <see cref="KeyNotFoundException"/> when this worker holds no such graph (it was
    /// restarted, or the graph expired): the coordinator then runs the step again from phase 1.
    /// </summary>
    public T Use<T>(ShardKey key, bool release, Func<RelationShard, T> use)
    {
        var id = Id(key);
        if (!kept.TryGetValue(id, out var entry))
            throw new KeyNotFoundException($"this worker keeps no TRLearner graph for run {key.RunId} step {key.Step} shard {key.Shard} attempt {key.Attempt}");
        lock (entry.Gate)
        {
            if (entry.Disposed)
                throw new KeyNotFoundException($"the TRLearner graph for run {key.RunId} step {key.Step} shard {key.Shard} attempt {key.Attempt} was evicted");
            try
            {
                return use(entry.Shard);
            }
            finally
            {
                entry.LastUsed = DateTime.UtcNow;
                if (release)
                {
                    kept.TryRemove(new KeyValuePair<(string, long, int, int), Entry>(id, entry));
                    entry.Dispose();
                }
            }
        }
    }

    /// <summary>Drops every graph of a run (it ended, or the worker was told to forget it).</summary>
    public void Forget(string runId)
    {
        foreach (var id in kept.Keys.Where(k => k.Run == runId).ToArray()) Evict(id);
    }

    /// <summary>Drops the graphs unused since <paramref name="now"/> minus <see cref="TimeToLive"/>.</summary>
    public void Sweep(DateTime now)
    {
        foreach (var (id, entry) in kept.ToArray())
            if (now - entry.LastUsed > TimeToLive) Evict(id);
    }

    private void Evict((string, long, int, int) id)
    {
        // The entry's lock waits for a phase that is using the graph right now.
        if (kept.TryRemove(id, out var entry))
            lock (entry.Gate) entry.Dispose();
    }

    private static (string, long, int, int) Id(ShardKey key) => (key.RunId, key.Step, key.Shard, key.Attempt);

    /// <inheritdoc/>
    public void Dispose()
    {
        sweeper.Dispose();
        foreach (var id in kept.Keys.ToArray()) Evict(id);
    }

    private sealed class Entry(RelationShard shard) : IDisposable
    {
        public Lock Gate { get; } = new();
        public RelationShard Shard { get; } = shard;
        public DateTime LastUsed { get; set; }
        public bool Disposed { get; private set; }

        public void Dispose()
        {
            if (Disposed) return;
            Disposed = true;
            Shard.Dispose();
        }
    }
}
