using MetaCluster.Learning.Relations;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Learning;

public sealed class MetaDataSamplerTests
{
    [Fact]
    public void HardestPicksTheHighestLossesInAscendingIndexOrder()
    {
        var losses = tensor(new double[] { 0.1, 0.9, 0.3, 0.7, 0.5, /* task 2 */ 2.0, 0.0, 1.0, 3.0, 0.5 }, [2, 5]);
        var chosen = new MetaDataSampler(MetaDataStrategy.Hardest, 2).Select(losses, [10, 11], 1, TaskStream.Train, 0);
        Assert.Equal([1, 3], chosen[0]);
        Assert.Equal([0, 3], chosen[1]);
    }

    [Fact]
    public void RandomChoicesDependOnlyOnTheTaskKey()
    {
        var sampler = new MetaDataSampler(MetaDataStrategy.Random, 3);
        var alone = sampler.Select(zeros(1, 8), [5], 42, TaskStream.Train, 7);
        var together = sampler.Select(rand(3, 8), [2, 5, 9], 42, TaskStream.Train, 7);
        Assert.Equal(alone[0], together[1]);
        Assert.All(together, c =>
        {
            Assert.Equal(3, c.Distinct().Count());
            Assert.All(c, j => Assert.InRange(j, 0, 7));
            Assert.Equal(c.Order(), c);
        });
        // Other tasks and other steps choose differently (for these keys; 1 in 56 pairs would coincide).
        var otherStep = sampler.Select(zeros(1, 8), [5], 42, TaskStream.Train, 8);
        Assert.NotEqual(together[0], together[1]);
        Assert.NotEqual(alone[0], otherStep[0]);
    }

    [Fact]
    public void AskingForMoreSamplesThanTheQuerySetIsNamed()
    {
        var error = Assert.Throws<ArgumentException>(() => new MetaDataSampler(MetaDataStrategy.Hardest, 9).Select(zeros(2, 6), [0, 1], 1, TaskStream.Train, 0));
        Assert.Contains("9 meta-data samples per task", error.Message);
        Assert.Contains("only 6 query samples", error.Message);
    }

    [Fact]
    public void PooledMetaDataRebuiltFromReferencesMatchesTheHoldersBatch()
    {
        var family = new SinusoidTasks();
        var shape = new EpisodeShape(1, 3, 5);
        long[] tasks = [0, 1, 2, 3];
        using var batch = family.Sample(3, TaskStream.Train, 2, tasks, shape);
        MetaDataRef[] references = [new(0, 4), new(0, 1), new(2, 0), new(3, 3)];

        var rebuilt = MetaDataPool.Gather(family, 3, TaskStream.Train, 2, shape, references);

        Assert.Equal([4L, 1L], rebuilt.shape);
        for (int r = 0; r < references.Length; r++)
            Assert.Equal(batch.QueryX[references[r].TaskIndex, references[r].QuerySample, 0].item<float>(), rebuilt[r, 0].item<float>());
        var error = Assert.Throws<ArgumentException>(() => MetaDataPool.Gather(batch, tasks, [new(7, 0)]));
        Assert.Contains("task 7", error.Message);
    }
}
