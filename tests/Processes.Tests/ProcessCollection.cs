namespace MetaCluster.Tests.Processes;

/// <summary>
/// Process tests share the machine's two cores with the coordinator and worker processes they start,
/// so they run one after another, and alone; they share one real Redis.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "processes";
}
