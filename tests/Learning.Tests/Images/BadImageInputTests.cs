using MetaCluster.Learning.Images;
using MetaCluster.Learning.Tasks;

namespace MetaCluster.Tests.Images;

/// <summary>Each kind of bad image input fails with one line that names the file or class.</summary>
public sealed class BadImageInputTests
{
    private static byte[] Good(ulong seed) => PngImages.Rectangle(12, 2, 2, 8, 8, seed);

    private static void AssertOneLine(Exception error) => Assert.DoesNotContain('\n', error.Message);

    [Theory]
    [InlineData("random bytes")]
    [InlineData("truncated")]
    public void ACorruptPngNamesTheFile(string damage)
    {
        using var folder = new TempFolder();
        folder.Write("g/a/1.png", Good(1));
        folder.Write("g/a/2.png", Good(2));
        var good = Good(3);
        var bad = damage == "truncated" ? good[..(good.Length / 2)] : Enumerable.Range(0, 200).Select(i => (byte)(i * 37)).ToArray();
        var path = folder.Write("g/b/bad.png", bad);

        var error = Assert.Throws<InvalidDataException>(() => ImageDataset.Load([folder.Path]));
        Assert.StartsWith(path + ": ", error.Message);
        AssertOneLine(error);
    }

    [Fact]
    public void AClassWithTooFewImagesForTheEpisodeShapeIsNamed()
    {
        using var folder = new TempFolder();
        for (int i = 0; i < 5; i++) folder.Write($"g/plenty/{i}.png", Good((ulong)i));
        for (int i = 0; i < 3; i++) folder.Write($"g/scarce/{i}.png", Good((ulong)(10 + i)));
        var tasks = new ImageTasks(ImageDataset.Load([folder.Path]), options: new ImageTaskOptions(Ways: 2));

        using var fine = tasks.Sample(1, TaskStream.Train, 0, [0], new EpisodeShape(2, 1, 2));
        var error = Assert.Throws<InvalidDataException>(() => tasks.Sample(1, TaskStream.Train, 0, [0], new EpisodeShape(2, 1, 3)));
        Assert.Equal("class 'g/scarce' has 3 images, fewer than the 4 that 1-shot 3-query episodes need", error.Message);
    }

    [Fact]
    public void MoreWaysThanClassesIsRefused()
    {
        using var folder = new TempFolder();
        folder.Write("g/a/1.png", Good(1));
        folder.Write("g/b/1.png", Good(2));
        var tasks = new ImageTasks(ImageDataset.Load([folder.Path]));
        var error = Assert.Throws<ArgumentException>(() => tasks.Sample(1, TaskStream.Evaluation, 0, [0], new EpisodeShape(3, 1, 1)));
        Assert.Equal("3-way episodes need 3 classes, but the evaluation split has 2", error.Message);
    }

    [Fact]
    public void AnEmptyClassFolderIsNamed()
    {
        using var folder = new TempFolder();
        folder.Write("g/a/1.png", Good(1));
        Directory.CreateDirectory(Path.Combine(folder.Path, "g", "empty"));
        var error = Assert.Throws<InvalidDataException>(() => ImageDataset.Load([folder.Path]));
        Assert.StartsWith("class 'g/empty' has no images", error.Message);
        AssertOneLine(error);
    }

    [Fact]
    public void ANonImageFileInAClassFolderIsNamedWhileOneBesideTheGroupsIsIgnored()
    {
        using var folder = new TempFolder();
        folder.Write("g/a/1.png", Good(1));
        folder.Write("README.md", "about this data"u8.ToArray());
        folder.Write(".DS_Store", [0, 1, 2]);
        Assert.Single(ImageDataset.Load([folder.Path]).Classes);

        var path = folder.Write("g/a/notes.txt", "not a drawing"u8.ToArray());
        var error = Assert.Throws<InvalidDataException>(() => ImageDataset.Load([folder.Path]));
        Assert.StartsWith(path + ": not an image file", error.Message);
    }

    [Fact]
    public void ImagesOutsideGroupAndClassFoldersAreNamed()
    {
        using var folder = new TempFolder();
        folder.Write("g/a/1.png", Good(1));
        var stray = folder.Write("g/stray.png", Good(2));
        var error = Assert.Throws<InvalidDataException>(() => ImageDataset.Load([folder.Path]));
        Assert.StartsWith(stray + ": an image must sit in a <group>/<class> folder", error.Message);
    }

    [Fact]
    public void AFolderHoldingImagesAndClassFoldersIsAmbiguous()
    {
        using var folder = new TempFolder();
        folder.Write("root/g/a/1.png", Good(1));
        folder.Write("root/g/2.png", Good(2));
        var error = Assert.Throws<InvalidDataException>(() => ImageDataset.Load([folder.Path]));
        Assert.Contains("'root/g' holds images and also folders of images", error.Message);
    }

    [Fact]
    public void AMissingSourceAndANonZipFileAreNamed()
    {
        using var folder = new TempFolder();
        var missing = Path.Combine(folder.Path, "nowhere");
        Assert.Contains($"'{missing}' does not exist", Assert.Throws<FileNotFoundException>(() => ImageDataset.Load([missing])).Message);

        var notZip = folder.Write("data.zip", "plain text"u8.ToArray());
        var error = Assert.Throws<InvalidDataException>(() => ImageDataset.Load([notZip]));
        Assert.StartsWith(notZip + ": not a readable zip archive", error.Message);
    }
}
