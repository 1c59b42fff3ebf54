using MetaCluster.Learning.Images;
using MetaCluster.Learning.Tasks;

namespace MetaCluster.Tests.Images;

public sealed class ImageTaskCatalogTests
{
    [Fact]
    public void ImagesIsListedAndNeedsItsDataSettings()
    {
        Assert.Contains("images", TaskFamilyCatalog.Names);
        Assert.Contains("give --data", Assert.Throws<ArgumentException>(() => TaskFamilyCatalog.Create("images")).Message);
        Assert.IsType<SinusoidTasks>(TaskFamilyCatalog.Create("sinusoid", new TaskDataOptions()));
        Assert.Contains("unknown task family 'pictures'", Assert.Throws<ArgumentException>(() => TaskFamilyCatalog.Create("pictures")).Message);
    }

    [Fact]
    public void SettingsBuildTheFamilyWithItsSplitRotationsAndModel()
    {
        using var folder = new TempFolder();
        ulong noise = 0;
        foreach (var group in new[] { "north", "south" })
            foreach (var cls in new[] { "c1", "c2", "c3" })
                for (int i = 0; i < 4; i++)
                    folder.Write($"{group}/{cls}/{i}.png", PngImages.Rectangle(16, i, i, 8 + i, 8, ++noise));
        var settings = new ImageTaskSettings([folder.Path])
        {
            Format = new ImageFormat(16, 16),
            Evaluation = ImageSelection.ByGroups("south"),
            Options = new ImageTaskOptions(Ways: 3, Rotations: true, HiddenChannels: 8),
        };

        var family = Assert.IsType<ImageTasks>(TaskFamilyCatalog.Create("images", settings));

        Assert.Equal(TaskKind.Classification, family.Kind);
        Assert.Equal(["north"], family.Train.Groups);
        Assert.Equal(["south"], family.Evaluation.Groups);
        Assert.Equal(12, family.Pool(TaskStream.Train).Count);
        using var batch = family.Sample(1, TaskStream.Evaluation, 0, [0, 1], new EpisodeShape(3, 1, 2));
        Assert.Equal([2, 6, 1, 16, 16], batch.QueryX.shape);
        var model = Assert.IsType<Cnn4>(family.CreateModel());
        Assert.Equal(3, model.Ways);
        Assert.Equal(8, model.FeatureSize);
    }
}
