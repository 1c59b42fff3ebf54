namespace MetaCluster.Learning.Tasks;

/// <summary>Independent task streams of one run: meta-training tasks never reappear in validation or evaluation.</summary>
public enum TaskStream : ulong
{
    /// <summary>Meta-training tasks, keyed by (step, index in the meta-batch).</summary>
    Train = 1,

    /// <summary>Evaluation tasks, keyed by (0, episode index).</summary>
    Evaluation = 2,

    /// <summary>
    /// Validation tasks, keyed by (0, episode index), so every validation of a run scores the same
    /// tasks: from the validation split of the training data (held-out training classes or files),
    /// or, for generated families, a stream of their own seeded apart from the other two.
    /// </summary>
    Validation = 3,
}
