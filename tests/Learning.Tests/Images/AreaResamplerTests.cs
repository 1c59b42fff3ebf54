using MetaCluster.Learning.Images;

namespace MetaCluster.Tests.Images;

public sealed class AreaResamplerTests
{
    [Fact]
    public void HalvingAveragesEachTwoByTwoBlock()
    {
        float[] source = [1, 2, 3, 4,
                          5, 6, 7, 8,
                          9, 10, 11, 12,
                          13, 14, 15, 16];
        var result = AreaResampler.Resize(source, 4, 4, 2, 2);
        Assert.Equal([3.5f, 5.5f, 11.5f, 13.5f], result);
    }

    [Fact]
    public void FractionalCoverageWeighsTheSharedPixel()
    {
        // 3 -> 2: each output covers 1.5 source pixels; the middle one is split in half.
        var result = AreaResampler.Resize([3f, 6f, 9f], 3, 1, 2, 1);
        Assert.Equal((3 + 0.5 * 6) / 1.5, result[0], 5);
        Assert.Equal((0.5 * 6 + 9) / 1.5, result[1], 5);
    }

    [Fact]
    public void OmniglotSizesKeepAConstantImageConstantAndTheMeanInk()
    {
        var constant = Enumerable.Repeat(0.25f, 105 * 105).ToArray();
        Assert.All(AreaResampler.Resize(constant, 105, 105, 28, 28), v => Assert.Equal(0.25f, v, 5));

        var random = new MetaCluster.Learning.Tasks.TaskRandom(3, 0, 0, 0);
        var noise = Enumerable.Range(0, 105 * 105).Select(_ => (float)random.NextDouble()).ToArray();
        // Area averaging preserves the total: the means agree.
        Assert.Equal(noise.Average(), AreaResampler.Resize(noise, 105, 105, 28, 28).Average(), 4);
    }
}
