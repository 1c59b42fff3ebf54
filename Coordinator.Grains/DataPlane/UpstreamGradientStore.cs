using System.Collections.Concurrent;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.Coordinator.DataPlane;

/// <summary>
/// TRLearner's upstream gradients of the step in phase 2, per shard: ∂L_TR/∂z rows then
/// ∂L_TR/∂g rows of the shard's tasks, flat float32, served to the worker that keeps the shard's
/// graph. Keyed by (run, step, shard, attempt of the shard's accepted adapt phase); only the
/// current step of each run is held.
/// </summary>
public sealed class UpstreamGradientStore
{
    private readonly ConcurrentDictionary<string, (long Step, IReadOnlyDictionary<(int Shard, int Attempt), float[]> Shards)> current = new();

    /// <summary>Publishes a step's upstream gradients (replacing the run's previous step).</summary>
    public void Publish(string runId, long step, IReadOnlyDictionary<(int Shard, int Attempt), float[]> shards) => current[runId] = (step, shards);

    /// <summary>A shard's upstream gradients, or null when that key is not (or no longer) published.</summary>
    public float[]? Get(ShardKey key) =>
        current.TryGetValue(key.RunId, out var entry) && entry.Step == key.Step && entry.Shards.TryGetValue((key.Shard, key.Attempt), out var values)
            ? values : null;

    /// <summary>Forgets a run.</summary>
    public void Remove(string runId) => current.TryRemove(runId, out _);
}
