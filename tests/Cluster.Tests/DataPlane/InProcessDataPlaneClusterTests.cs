using MetaCluster.Tests.Cluster;

namespace MetaCluster.Tests.DataPlane;

/// <summary>The embedded cluster with its data plane in process against the same cluster over gRPC.</summary>
[Collection(ClusterCollection.Name)]
public sealed class InProcessDataPlaneClusterTests
{
    [Fact]
    public async Task ATrainingRunWithTheDataPlaneInProcessEndsWithTheSameBitsAsOverGrpc()
    {
        var wire = await ClusterRuns.RunAsync(ClusterRuns.Sinusoid(workers: 2, shards: 2, steps: 15, ClusterRuns.TempDirectory()));
        var local = await ClusterRuns.RunAsync(ClusterRuns.Sinusoid(workers: 2, shards: 2, steps: 15, ClusterRuns.TempDirectory()), inProcessDataPlane: true);
        Assert.Equal(wire.Final.Theta, local.Final.Theta);
        Assert.Equal(wire.Final.SecondMoment, local.Final.SecondMoment);
    }
}
