using System.IO.Compression;
using MetaCluster.Learning.Images;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Images;

public sealed class FixedEpisodeTests
{
    // Each class is a black rectangle in its own place; every drawing adds its own noise.
    private static readonly Dictionary<string, (int Left, int Top, int Right, int Bottom)> Shapes = new()
    {
        ["gamma"] = (0, 0, 10, 10),
        ["alpha"] = (10, 10, 20, 20),
        ["beta"] = (0, 12, 20, 18),
    };

    /// <summary>
    /// Three 3-way 1-shot episodes with 2 queries per class. In ep03 the query folders of alpha
    /// and beta are swapped, so a correct reader and scorer must find 4 of its 6 queries wrong.
    /// </summary>
    private static void WriteSet(TempFolder folder, string root = "")
    {
        ulong noise = 0;
        foreach (var episode in new[] { "ep01", "ep02", "ep03" })
            foreach (var (name, r) in Shapes)
            {
                folder.Write($"{root}{episode}/support/{name}/s.png", PngImages.Rectangle(20, r.Left, r.Top, r.Right, r.Bottom, ++noise));
                var queryClass = episode == "ep03" && name != "gamma" ? (name == "alpha" ? "beta" : "alpha") : name;
                for (int q = 0; q < 2; q++)
                    folder.Write($"{root}{episode}/query/{queryClass}/q{q}-{name}.png", PngImages.Rectangle(20, r.Left, r.Top, r.Right, r.Bottom, ++noise));
            }
    }

    /// <summary>Nearest class mean on raw pixels: logits = −squared distance to each class's support mean.</summary>
    private static Tensor PrototypeLogits(FixedEpisode episode)
    {
        var support = episode.Batch.SupportX[0].flatten(1);
        var labels = episode.Batch.SupportY[0];
        var prototypes = stack(Enumerable.Range(0, episode.ClassNames.Count)
            .Select(c => support[labels.eq(c)].mean([0])).ToArray());
        return -cdist(episode.Batch.QueryX[0].flatten(1).unsqueeze(0), prototypes.unsqueeze(0)).square();
    }

    [Fact]
    public void AnEpisodeSetIsReadWithSortedLabelsAndScoredCorrectly()
    {
        using var folder = new TempFolder();
        WriteSet(folder);

        var episodes = FixedEpisodeReader.ReadSet(folder.Path);

        Assert.Equal(["ep01", "ep02", "ep03"], episodes.Select(e => e.Name));
        foreach (var episode in episodes)
        {
            Assert.Equal(["alpha", "beta", "gamma"], episode.ClassNames);
            Assert.Equal([1, 3, 1, 28, 28], episode.Batch.SupportX.shape);
            Assert.Equal([1, 6, 1, 28, 28], episode.Batch.QueryX.shape);
            Assert.Equal([0L, 1, 2], episode.Batch.SupportY[0].data<long>().ToArray());
            Assert.Equal([0L, 0, 1, 1, 2, 2], episode.Batch.QueryY[0].data<long>().ToArray());
            Assert.Equal(["alpha/s.png", "beta/s.png", "gamma/s.png"], episode.SupportFiles);
            Assert.True(episode.HasQueryLabels);
        }

        var accuracy = episodes.Select(e => e.Predict(PrototypeLogits(e)).Count(p => p.Correct) / 6.0).ToArray();
        Assert.Equal([1.0, 1.0, 2.0 / 6], accuracy);
        // The mislabelled queries are reported under their folder's class, predicted as what they show.
        var wrong = episodes[2].Predict(PrototypeLogits(episodes[2])).Where(p => !p.Correct).ToArray();
        Assert.Equal(
            [("alpha/q0-beta.png", "beta", "alpha"), ("alpha/q1-beta.png", "beta", "alpha"), ("beta/q0-alpha.png", "alpha", "beta"), ("beta/q1-alpha.png", "alpha", "beta")],
            wrong.Select(p => (p.File, p.Predicted, p.Actual!)));
    }

    [Fact]
    public void AZippedSetWithATopFolderReadsTheSameAndEpisodesStack()
    {
        using var folder = new TempFolder();
        WriteSet(folder, "runs/");
        using var zips = new TempFolder();
        var zip = Path.Combine(zips.Path, "runs.zip");
        ZipFile.CreateFromDirectory(folder.Path, zip);

        var fromFolder = FixedEpisodeReader.ReadSet(Path.Combine(folder.Path, "runs"));
        var fromZip = FixedEpisodeReader.ReadSet(zip);

        Assert.Equal(fromFolder.Select(e => e.Name), fromZip.Select(e => e.Name));
        for (int i = 0; i < 3; i++)
        {
            Assert.True(fromFolder[i].Batch.SupportX.equal(fromZip[i].Batch.SupportX).all().item<bool>());
            Assert.True(fromFolder[i].Batch.QueryX.equal(fromZip[i].Batch.QueryX).all().item<bool>());
        }
        using var stacked = FixedEpisode.Stack(fromZip);
        Assert.Equal([3, 6, 1, 28, 28], stacked.QueryX.shape);
        Assert.True(stacked.QueryY[2].equal(fromZip[2].Batch.QueryY[0]).all().item<bool>());
    }

    [Fact]
    public void ASingleEpisodeWithUnlabelledQueriesKeepsTheirFileNamesForPredictions()
    {
        using var folder = new TempFolder();
        ulong noise = 100;
        foreach (var (name, r) in Shapes)
            folder.Write($"support/{name}/s.png", PngImages.Rectangle(20, r.Left, r.Top, r.Right, r.Bottom, ++noise));
        var b = Shapes["beta"];
        var g = Shapes["gamma"];
        folder.Write("query/mystery-1.png", PngImages.Rectangle(20, b.Left, b.Top, b.Right, b.Bottom, ++noise));
        folder.Write("query/mystery-2.png", PngImages.Rectangle(20, g.Left, g.Top, g.Right, g.Bottom, ++noise));

        var episode = FixedEpisodeReader.ReadSingle(folder.Path);

        Assert.False(episode.HasQueryLabels);
        Assert.Equal(["mystery-1.png", "mystery-2.png"], episode.QueryFiles);
        Assert.All(episode.Batch.QueryY[0].data<long>().ToArray(), y => Assert.Equal(FixedEpisode.Unlabelled, y));
        var predictions = episode.Predict(PrototypeLogits(episode));
        Assert.Equal([("mystery-1.png", "beta"), ("mystery-2.png", "gamma")], predictions.Select(p => (p.File, p.Predicted)));
        Assert.All(predictions, p => Assert.Null(p.Actual));
    }

    [Fact]
    public void AQueryClassMissingFromTheSupportSetNamesTheEpisodeAndClass()
    {
        using var folder = new TempFolder();
        WriteSet(folder);
        folder.Write("ep02/query/delta/x.png", PngImages.Rectangle(20, 0, 0, 5, 5, 9));

        var error = Assert.Throws<InvalidDataException>(() => FixedEpisodeReader.ReadSet(folder.Path));
        Assert.StartsWith("episode 'ep02': query class 'delta' is not in its support set", error.Message);
    }

    [Fact]
    public void ASetNeedsLabelledQueriesAndASingleEpisodeIsNotASet()
    {
        using var folder = new TempFolder();
        folder.Write("support/a/s.png", PngImages.Rectangle(20, 0, 0, 5, 5, 1));
        folder.Write("query/q.png", PngImages.Rectangle(20, 0, 0, 5, 5, 2));
        Assert.Contains("single episode", Assert.Throws<InvalidDataException>(() => FixedEpisodeReader.ReadSet(folder.Path)).Message);

        using var set = new TempFolder();
        set.Write("ep1/support/a/s.png", PngImages.Rectangle(20, 0, 0, 5, 5, 1));
        set.Write("ep1/query/q.png", PngImages.Rectangle(20, 0, 0, 5, 5, 2));
        Assert.Contains("need class folders", Assert.Throws<InvalidDataException>(() => FixedEpisodeReader.ReadSet(set.Path)).Message);
    }
}
