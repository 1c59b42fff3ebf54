namespace MetaCluster.Coordinator.Runs;

/// <summary>Splits a batch of task indices into contiguous shards whose sizes differ by at most one.</summary>
public static class ShardPlan
{
    /// <summary>The task indices of each shard, for tasks <paramref name="first"/> … <paramref name="first"/>+<paramref name="tasks"/>−1.</summary>
    public static long[][] Split(int tasks, int shards, long first = 0)
    {
        if (tasks <= 0) throw new ArgumentOutOfRangeException(nameof(tasks));
        shards = Math.Clamp(shards, 1, tasks);
        var plan = new long[shards][];
        long next = first;
        for (int s = 0; s < shards; s++)
        {
            int size = tasks / shards + (s < tasks % shards ? 1 : 0);
            plan[s] = Enumerable.Range(0, size).Select(i => next + i).ToArray();
            next += size;
        }
        return plan;
    }
}
