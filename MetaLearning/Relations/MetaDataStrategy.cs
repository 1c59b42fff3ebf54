namespace MetaCluster.Learning.Relations;

/// <summary>How TRLearner picks each task's meta-data from its query set.</summary>
public enum MetaDataStrategy
{
    /// <summary>The m query samples with the highest loss under the task's adapted model (the default).</summary>
    Hardest,

    /// <summary>m query samples drawn uniformly without replacement, deterministically from the task's key.</summary>
    Random,
}
