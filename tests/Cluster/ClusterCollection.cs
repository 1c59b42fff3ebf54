namespace MetaCluster.Tests.Cluster;

/// <summary>
/// Cluster tests share the machine's two cores and libtorch's process-wide thread setting, so
/// they run one after another, and alone. Process tests share one real Redis.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection : ICollectionFixture<MetaCluster.Tests.Processes.RedisFixture>
{
    public const string Name = "cluster";
}
