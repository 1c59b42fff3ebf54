using MetaCluster.Learning.Images;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Images;

[Collection("Omniglot")]
public sealed class ImageTasksTests(OmniglotFixture omniglot)
{
    private static readonly EpisodeShape FiveWayOneShot = new(5, 1, 15);

    [Fact]
    public void EpisodesAreReproducibleFromTheirKeyAloneAndDifferForOtherKeys()
    {
        var tasks = new ImageTasks(omniglot.Union);
        using var batch = tasks.Sample(11, TaskStream.Train, 4, [0, 1, 2, 3], FiveWayOneShot);
        using var again = new ImageTasks(omniglot.Union).Sample(11, TaskStream.Train, 4, [0, 1, 2, 3], FiveWayOneShot);
        // Any worker can rebuild one task of a shard without the others.
        using var third = tasks.Sample(11, TaskStream.Train, 4, [2], FiveWayOneShot);
        using var otherSeed = tasks.Sample(12, TaskStream.Train, 4, [0, 1, 2, 3], FiveWayOneShot);
        using var otherStep = tasks.Sample(11, TaskStream.Train, 5, [0, 1, 2, 3], FiveWayOneShot);
        using var otherStream = tasks.Sample(11, TaskStream.Evaluation, 4, [0, 1, 2, 3], FiveWayOneShot);

        Assert.Equal([4, 5, 1, 28, 28], batch.SupportX.shape);
        Assert.Equal([4, 75, 1, 28, 28], batch.QueryX.shape);
        Assert.Equal(ScalarType.Float32, batch.SupportX.dtype);
        Assert.Equal(ScalarType.Int64, batch.QueryY.dtype);
        Assert.True(Same(batch.SupportX, again.SupportX));
        Assert.True(Same(batch.QueryX, again.QueryX));
        Assert.True(Same(batch.QueryY, again.QueryY));
        Assert.True(Same(batch.SupportX[2], third.SupportX[0]));
        Assert.True(Same(batch.QueryX[2], third.QueryX[0]));
        Assert.False(Same(batch.SupportX, otherSeed.SupportX));
        Assert.False(Same(batch.SupportX, otherStep.SupportX));
        Assert.False(Same(batch.SupportX, otherStream.SupportX));
        Assert.False(Same(batch.SupportX[0], batch.SupportX[1]));
    }

    [Theory]
    [InlineData(5, 1, 15, false)]
    [InlineData(20, 5, 5, false)]
    [InlineData(20, 1, 19, true)]
    public void NoClassRepeatsInAnEpisodeAndSupportAndQueryAreDisjoint(int ways, int shots, int query, bool rotations)
    {
        var tasks = new ImageTasks(omniglot.Union, options: new ImageTaskOptions(ways, rotations));
        var shape = new EpisodeShape(ways, shots, query);
        Assert.Equal(rotations ? 4 * 242 : 242, tasks.Pool(TaskStream.Train).Count);
        var plans = Enumerable.Range(0, 100).Select(i => tasks.Plan(3, TaskStream.Train, 7, i, shape)).ToArray();
        foreach (var plan in plans)
        {
            Assert.Equal(ways, plan.Classes.Distinct().Count());
            for (int w = 0; w < ways; w++)
            {
                Assert.Equal(shots, plan.Support[w].Distinct().Count());
                Assert.Equal(query, plan.Query[w].Distinct().Count());
                Assert.Empty(plan.Support[w].Intersect(plan.Query[w]));
                Assert.All(plan.Support[w].Concat(plan.Query[w]), i => Assert.InRange(i, 0, 19));
            }
        }
        // Labels are a random permutation of the drawn classes, not their order in the data set.
        Assert.Contains(plans, p => !p.Classes.SequenceEqual(p.Classes.Order()));
        if (rotations) Assert.Contains(plans, p => p.Classes.Any(c => tasks.Pool(TaskStream.Train)[c].QuarterTurns != 0));
    }

    [Fact]
    public void TheTensorsHoldThePlannedImagesUnderTheirLabels()
    {
        var tasks = new ImageTasks(omniglot.Union, options: new ImageTaskOptions(Rotations: true));
        var shape = new EpisodeShape(5, 2, 3);
        using var batch = tasks.Sample(9, TaskStream.Evaluation, 0, [4, 8], shape);
        var pool = tasks.Pool(TaskStream.Evaluation);
        var format = omniglot.Union.Format;
        for (int t = 0; t < 2; t++)
        {
            var plan = tasks.Plan(9, TaskStream.Evaluation, 0, t == 0 ? 4 : 8, shape);
            for (int w = 0; w < 5; w++)
            {
                var episodeClass = pool[plan.Classes[w]];
                for (int j = 0; j < 2; j++)
                {
                    Assert.Equal(w, batch.SupportY[t, w * 2 + j].item<long>());
                    Assert.Equal(Expected(episodeClass, plan.Support[w][j]), batch.SupportX[t, w * 2 + j].flatten().data<float>().ToArray());
                }
                for (int j = 0; j < 3; j++)
                {
                    Assert.Equal(w, batch.QueryY[t, w * 3 + j].item<long>());
                    Assert.Equal(Expected(episodeClass, plan.Query[w][j]), batch.QueryX[t, w * 3 + j].flatten().data<float>().ToArray());
                }
            }
        }

        float[] Expected(EpisodeClass c, int image)
        {
            var values = new float[format.PixelsPerImage];
            ImageRotation.CopyRotated(c.Source.Image(image), format, c.QuarterTurns, values);
            return values;
        }
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void MoreWaysThanClassesIsAClearError()
    {
        var tasks = new ImageTasks(omniglot.Union.WithGroups(["Greek"]));
        var error = Assert.Throws<ArgumentException>(() => tasks.Sample(1, TaskStream.Train, 0, [0], new EpisodeShape(30, 1, 1)));
        Assert.Equal("30-way episodes need 30 classes, but the meta-training split has 24", error.Message);
    }

    [Fact]
    public void MoreShotsAndQueriesThanAClassHoldsNamesTheClass()
    {
        var tasks = new ImageTasks(omniglot.Union);
        var error = Assert.Throws<InvalidDataException>(() => tasks.Sample(1, TaskStream.Train, 0, [0], new EpisodeShape(5, 5, 16)));
        Assert.Equal("class 'Balinese/character01' has 20 images, fewer than the 21 that 5-shot 16-query episodes need", error.Message);
    }

    [Fact]
    public void TheModelMatchesTheFormatAndWays()
    {
        var model = new ImageTasks(omniglot.Union, options: new ImageTaskOptions(Ways: 20)).CreateModel();
        var cnn = Assert.IsType<Cnn4>(model);
        Assert.Equal(20, cnn.Ways);
        Assert.Equal(64, cnn.FeatureSize);
    }
}
