namespace MetaCluster.Learning.Tasks;

/// <summary>Independent task streams of one run: meta-training tasks never reappear in evaluation.</summary>
public enum TaskStream : ulong
{
    /// <summary>Meta-training tasks, keyed by (step, index in the meta-batch).</summary>
    Train = 1,

    /// <summary>Evaluation tasks, keyed by (0, episode index).</summary>
    Evaluation = 2,
}
