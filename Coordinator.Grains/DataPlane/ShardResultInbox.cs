using System.Collections.Concurrent;
using MetaCluster.DataPlane.Reduction;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.Coordinator.DataPlane;

/// <summary>
/// Routes incoming shard results to the collector of their run's current step. Its collectors
/// share one pool of gradient buffers (<see cref="GradientBufferPool"/>) across steps and runs.
/// </summary>
public sealed class ShardResultInbox
{
    private readonly ConcurrentDictionary<string, StepCollector> open = new();
    private readonly GradientBufferPool buffers = new();

    /// <summary>Opens the collector for a run's next step (replacing its previous one, whose late results become stale).</summary>
    public StepCollector Open(string runId, long step, int shards, int gradientElements, ShardPhase phase = ShardPhase.Single, int groupSize = 1)
    {
        var collector = new StepCollector(runId, step, shards, gradientElements, phase, buffers, groupSize);
        open[runId] = collector;
        return collector;
    }

    /// <summary>
    /// Takes back a step's gradient sum (<see cref="OrderedGradientSum.Sum"/>) once its user is done
    /// with it, so the next step's sum reuses the array instead of allocating one.
    /// </summary>
    public void Recycle(float[] gradientSum) => buffers.Return(gradientSum);

    /// <summary>The run's open collector, if any.</summary>
    public StepCollector? Find(string runId) => open.TryGetValue(runId, out var c) ? c : null;

    /// <summary>Closes a run's collector.</summary>
    public void Close(string runId, StepCollector collector) => open.TryRemove(new KeyValuePair<string, StepCollector>(runId, collector));
}
