using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.Bench.Simulated;

/// <summary>
/// The result headers simulated workers send: a <c>train</c> result for one shard of one task
/// (the capacity run gives every shard one task, its own number), and a <c>train_group</c> result
/// with one member header per shard, as a worker process that summed the group sends it.
/// </summary>
public static class SimulatedHeaders
{
    /// <summary>Shard <paramref name="shard"/>'s <c>train</c> result for (step, attempt).</summary>
    public static ShardResultHeader Train(string runId, long step, int shard, int attempt, string workerId)
    {
        var header = new ShardResultHeader
        {
            Key = new ShardKey { RunId = runId, Step = step, Shard = shard, Attempt = attempt },
            WorkerId = workerId,
            Train = new TrainResult(),
        };
        header.TaskIndices.Add(shard);
        header.Train.TaskLosses.Add(1.0);
        header.Train.TaskMetrics.Add(1.0);
        return header;
    }

    /// <summary>The <c>train_group</c> result of shards [<paramref name="firstShard"/>, + <paramref name="members"/>) for (step, attempt).</summary>
    public static ShardResultHeader Group(string runId, long step, int firstShard, int members, int attempt, string workerId)
    {
        var header = new ShardResultHeader
        {
            Key = new ShardKey { RunId = runId, Step = step, Shard = firstShard, Attempt = attempt },
            WorkerId = workerId,
            TrainGroup = new TrainGroupResult(),
        };
        for (int i = 0; i < members; i++) header.TrainGroup.Members.Add(Train(runId, step, firstShard + i, attempt, workerId));
        return header;
    }
}
