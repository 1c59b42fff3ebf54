using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Tasks;
using MetaCluster.Protos.DataPlane.V1;
using Microsoft.Extensions.DependencyInjection;
using static TorchSharp.torch;
using MetaCluster.Abstractions;
using MetaCluster.Embedded;

namespace MetaCluster.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class DistributedGradientTests
{
    private const int MetaBatch = 25;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task MetaGradientThroughTheClusterEqualsTheOneProcessMetaGradient(int workers)
    {
        var definition = new RunDefinition { Task = "sinusoid", Algorithm = "maml", Shots = 5, Query = 10, MetaBatch = MetaBatch, InnerSteps = 2, InnerLr = 0.01, Seed = 11 };
        var family = new SinusoidTasks();
        var model = family.CreateModel();
        var maml = new Maml(new InnerLoopSettings(definition.InnerSteps, definition.InnerLr), firstOrder: false);
        using var theta = maml.InitializeMetaParameters(model, definition.Seed);
        const long step = 4;

        // One process, all tasks in one batch.
        using var batch = family.Sample(definition.Seed, TaskStream.Train, step, Enumerable.Range(0, MetaBatch).Select(i => (long)i).ToArray(), new EpisodeShape(1, 5, 10));
        var expected = (maml.ComputeShard(model, theta, batch).GradientSum / MetaBatch).data<float>().ToArray();

        // The cluster: W workers, one shard each, tensors over gRPC.
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions(workers, Threads: 1), TestContext.Current.CancellationToken);
        var result = await ClusterRuns.TrainingRoundAsync(cluster, definition, theta.data<float>().ToArray(), step, ShardPlan.Split(MetaBatch, workers));
        using var gradient = result.Gradient!;

        Assert.Equal(workers, result.Shards.Select(h => h.WorkerId).Distinct().Count());
        var distributed = gradient.Values.Select(g => (double)g / MetaBatch).ToArray();
        GradientAssert.Close(distributed, expected.Select(g => (double)g).ToArray(), 1e-5);
        Assert.Equal(MetaBatch, result.Shards.Sum(h => h.TaskIndices.Count));
    }

    [Fact]
    public async Task FinalParametersDoNotDependOnHowManyWorkersRunTheShards()
    {
        // A fixed shard layout is summed in shard order, so 1, 2 or 3 workers give identical bits.
        var one = await ClusterRuns.RunAsync(ClusterRuns.Sinusoid(workers: 1, shards: 3, steps: 25, ClusterRuns.TempDirectory()));
        var two = await ClusterRuns.RunAsync(ClusterRuns.Sinusoid(workers: 2, shards: 3, steps: 25, ClusterRuns.TempDirectory()));
        var three = await ClusterRuns.RunAsync(ClusterRuns.Sinusoid(workers: 3, shards: 3, steps: 25, ClusterRuns.TempDirectory()));

        Assert.Equal(25, one.Final.Step);
        Assert.Equal(one.Final.Theta, two.Final.Theta);
        Assert.Equal(one.Final.Theta, three.Final.Theta);
        Assert.Equal(one.Final.SecondMoment, three.Final.SecondMoment);
    }

    [Fact]
    public async Task WithTheDefaultOneShardPerWorkerParametersAgreeToFloatRounding()
    {
        var one = await ClusterRuns.RunAsync(ClusterRuns.Sinusoid(workers: 1, shards: 1, steps: 25, ClusterRuns.TempDirectory()));
        var three = await ClusterRuns.RunAsync(ClusterRuns.Sinusoid(workers: 3, shards: 3, steps: 25, ClusterRuns.TempDirectory()));
        var start = new Maml(new InnerLoopSettings(1, 0.01), false).InitializeMetaParameters(new SinusoidTasks().CreateModel(), 3).data<float>().ToArray();

        double moved = Math.Sqrt(one.Final.Theta.Zip(start, (a, b) => (double)(a - b) * (a - b)).Sum());
        double apart = Math.Sqrt(one.Final.Theta.Zip(three.Final.Theta, (a, b) => (double)(a - b) * (a - b)).Sum());
        Assert.True(moved > 1e-3, "training did not move the parameters: the comparison would prove nothing");
        Assert.True(apart <= 1e-4 * moved, $"parameters differ by {apart:E3} after moving {moved:E3}");
    }
}
