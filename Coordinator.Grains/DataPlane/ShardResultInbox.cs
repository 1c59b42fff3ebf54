using System.Collections.Concurrent;
using MetaCluster.DataPlane.Reduction;
using MetaCluster.Protos.DataPlane.V1;
using ResultKind = MetaCluster.Protos.DataPlane.V1.ShardResultHeader.ResultOneofCase;

namespace MetaCluster.Coordinator.DataPlane;

/// <summary>
/// Routes incoming results to the collector of their run's current round. Its collectors share one
/// pool of gradient buffers (<see cref="GradientBufferPool"/>) across rounds and runs: a round's sum
/// goes back to it when its lease is disposed.
/// </summary>
public sealed class ShardResultInbox
{
    private readonly ConcurrentDictionary<string, UnitCollector> open = new();
    private readonly GradientBufferPool buffers = new();

    /// <summary>Opens the collector for a run's next round (replacing its previous one, whose late results become stale).</summary>
    public UnitCollector Open(string runId, long step, ResultKind kind, int shards, int gradientElements = 0, int unitSize = 1)
    {
        var collector = new UnitCollector(runId, step, kind, shards, gradientElements, unitSize, buffers: buffers);
        open[runId] = collector;
        return collector;
    }

    /// <summary>The collector a result with <paramref name="key"/> belongs to, if its run has one open.</summary>
    public UnitCollector? Find(ShardKey key) => open.TryGetValue(key.RunId, out var c) ? c : null;

    /// <summary>Closes a run's collector (unless a later round replaced it already).</summary>
    public void Close(UnitCollector collector) => open.TryRemove(new KeyValuePair<string, UnitCollector>(collector.RunId, collector));
}
