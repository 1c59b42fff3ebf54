using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Relations;

/// <summary>
/// TRLearner's adaptive task meta-data sampler: picks m query samples of each task, either the
/// hardest under the adapted model or at random. Selected indices are returned in ascending
/// order, so the pooled meta-data has one canonical order whichever worker chose it.
/// </summary>
public sealed class MetaDataSampler
{
    // Keeps the random choice independent of the draws that built the task from the same key.
    private const ulong StreamSalt = 0x4D45_5441_4441_5441UL; // "METADATA"

    /// <summary>Creates a sampler that picks <paramref name="perTask"/> samples per task.</summary>
    public MetaDataSampler(MetaDataStrategy strategy, int perTask)
    {
        if (perTask < 1) throw new ArgumentOutOfRangeException(nameof(perTask), "TRLearner needs at least one meta-data sample per task");
        Strategy = strategy;
        PerTask = perTask;
    }

    /// <summary>Hardest or random.</summary>
    public MetaDataStrategy Strategy { get; }

    /// <summary>m: samples per task.</summary>
    public int PerTask { get; }

    /// <summary>
    /// The chosen query-sample indices of each task: one ascending array of m indices per row of
    /// <paramref name="querySampleLosses"/> [T, Q] (the loss of each query sample under the
    /// adapted model; unused by <see cref="MetaDataStrategy.Random"/>). Random choices depend only
    /// on (seed, stream, step, task index), so every worker makes the same ones.
    /// </summary>
    public int[][] Select(Tensor querySampleLosses, IReadOnlyList<long> taskIndices, ulong seed, TaskStream stream, long step)
    {
        if (querySampleLosses.dim() != 2 || querySampleLosses.shape[0] != taskIndices.Count)
            throw new ArgumentException($"query sample losses have shape [{string.Join(", ", querySampleLosses.shape)}], expected [{taskIndices.Count}, Q]");
        int queries = (int)querySampleLosses.shape[1];
        if (PerTask > queries)
            throw new ArgumentException($"TRLearner: {PerTask} meta-data samples per task, but tasks have only {queries} query samples");
        var losses = querySampleLosses.detach().to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        var chosen = new int[taskIndices.Count][];
        for (int i = 0; i < taskIndices.Count; i++)
        {
            chosen[i] = Strategy switch
            {
                MetaDataStrategy.Hardest => Hardest(losses.AsSpan(i * queries, queries)),
                MetaDataStrategy.Random => new TaskRandom(seed, (ulong)stream ^ StreamSalt, step, taskIndices[i]).Choose(queries, PerTask),
                _ => throw new ArgumentOutOfRangeException(nameof(Strategy)),
            };
            Array.Sort(chosen[i]);
        }
        return chosen;
    }

    private int[] Hardest(ReadOnlySpan<double> losses)
    {
        // Ties go to the lower index, so the choice is deterministic.
        var order = Enumerable.Range(0, losses.Length).ToArray();
        var keys = losses.ToArray();
        return order.OrderByDescending(j => keys[j]).ThenBy(j => j).Take(PerTask).ToArray();
    }
}
