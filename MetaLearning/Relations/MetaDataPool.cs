using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Relations;

/// <summary>
/// The pooled meta-data X of a meta-batch: every task's chosen query samples, concatenated in the
/// order of the references (task order of the meta-batch, then ascending sample index).
/// </summary>
public static class MetaDataPool
{
    /// <summary>References for the chosen samples of the given tasks, in task order.</summary>
    public static MetaDataRef[] References(IReadOnlyList<long> taskIndices, IReadOnlyList<int[]> chosen)
    {
        if (taskIndices.Count != chosen.Count) throw new ArgumentException($"{taskIndices.Count} tasks but {chosen.Count} choices");
        return taskIndices.SelectMany((task, i) => chosen[i].Select(sample => new MetaDataRef(task, sample))).ToArray();
    }

    /// <summary>
    /// Rebuilds X [M, …] from the references by sampling the tasks they name from
    /// <paramref name="family"/> (the same pure function of (seed, stream, step, index) that built
    /// them on whichever worker holds them). Float32 on the CPU, like the family's batches.
    /// </summary>
    public static Tensor Gather(ITaskFamily family, ulong seed, TaskStream stream, long step, EpisodeShape shape, IReadOnlyList<MetaDataRef> references)
    {
        var tasks = references.Select(r => r.TaskIndex).Distinct().ToArray();
        using var batch = family.Sample(seed, stream, step, tasks, shape);
        return Gather(batch, tasks, references);
    }

    /// <summary>Takes X [M, …] from a batch that holds every referenced task; <paramref name="taskIndices"/> names the batch's tasks in order.</summary>
    public static Tensor Gather(TaskBatch batch, IReadOnlyList<long> taskIndices, IReadOnlyList<MetaDataRef> references)
    {
        var position = new Dictionary<long, int>();
        for (int i = 0; i < taskIndices.Count; i++) position[taskIndices[i]] = i;
        int queries = (int)batch.QueryX.shape[1];
        var flat = new long[references.Count];
        for (int r = 0; r < references.Count; r++)
        {
            var (task, sample) = references[r];
            if (!position.TryGetValue(task, out int i)) throw new ArgumentException($"meta-data names task {task}, which the batch does not hold");
            if (sample < 0 || sample >= queries) throw new ArgumentException($"meta-data names query sample {sample} of task {task}, but tasks have {queries} query samples");
            flat[r] = (long)i * queries + sample;
        }
        using var scope = NewDisposeScope();
        var all = batch.QueryX.flatten(0, 1);
        return all.index_select(0, tensor(flat, device: all.device)).MoveToOuterDisposeScope();
    }
}
