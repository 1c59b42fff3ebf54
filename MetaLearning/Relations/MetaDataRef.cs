namespace MetaCluster.Learning.Relations;

/// <summary>
/// One meta-data sample: query sample <paramref name="QuerySample"/> of the task with index
/// <paramref name="TaskIndex"/> in the step's meta-batch. Tasks are rebuilt from (seed, stream,
/// step, index), so these pairs are all any worker needs to rebuild the pooled meta-data X.
/// </summary>
public readonly record struct MetaDataRef(long TaskIndex, int QuerySample);
