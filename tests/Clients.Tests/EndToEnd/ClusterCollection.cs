namespace MetaCluster.Tests.Clients.EndToEnd;

/// <summary>
/// The end-to-end tests share one real cluster (Redis, <c>Coordinator serve</c>, one TaskWorker process)
/// and run one after another, alone: the machine's cores go to the processes they start.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "client-cluster";
}
