namespace MetaCluster.Tests.Cluster;

/// <summary>
/// Cluster tests share the machine's two cores and libtorch's process-wide thread setting, so
/// they run one after another, and alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}
