using System.IO.Compression;
using MetaCluster.Learning.Images;

namespace MetaCluster.Tests.Images;

[Collection("Omniglot")]
public sealed class ImageDatasetLoaderTests(OmniglotFixture omniglot, ITestOutputHelper output)
{
    [Fact]
    public void UnionOfBothZipsCountsTheSharedAlphabetsOnce()
    {
        var union = omniglot.Union;
        output.WriteLine($"loaded {union} in {omniglot.LoadTime.TotalSeconds:F2} s ({omniglot.LoadCpuTime.TotalSeconds:F2} s of CPU); " +
                         $"{union.ByteCount / 1e6:F1} MB of pixels, {omniglot.RetainedBytes / 1e6:F1} MB retained");

        Assert.Equal(8, union.Groups.Count);
        Assert.Equal(242, union.Classes.Count);
        Assert.Equal(4840, union.ImageCount);
        // Greek (24) and Latin (26) characters, 20 drawings each, are in both zips.
        Assert.Equal(1000, union.DuplicatesSkipped);
        Assert.All(union.Classes, c => Assert.Equal(20, c.Count));
        Assert.Equal(136, union.WithGroups(OmniglotData.Small1Groups).Classes.Count);
        Assert.Equal(4840L * 28 * 28, union.ByteCount);
    }

    [Fact]
    public void ClassesAreOrderedByGroupThenName()
    {
        var keys = omniglot.Union.Classes.Select(c => (c.Group, c.Name)).ToArray();
        var sorted = keys.OrderBy(k => k.Group, StringComparer.Ordinal).ThenBy(k => k.Name, StringComparer.Ordinal).ToArray();
        Assert.Equal(sorted, keys);
        Assert.Equal("Balinese/character01", omniglot.Union.Classes[0].Key);
    }

    [Fact]
    public void OmniglotIsInvertedSoStrokesAreBrightOnABlackBackground()
    {
        var image = omniglot.Union.Find("Latin/character01")!.Image(0).ToArray();
        double ink = image.Count(v => v > 127) / (double)image.Length;
        Assert.True(ink is > 0.02 and < 0.35, $"{ink:P1} of the pixels are strokes");
        Assert.Equal(0, image.Order().ElementAt(image.Length / 2)); // the median pixel is background
        Assert.Equal(255, image.Max());
    }

    [Fact]
    public void AFolderAndAZipWithAnExtraTopFolderGiveTheSameClassesAndPixels()
    {
        // Extract a few characters of the small1 zip (which has an extra top folder) to a plain
        // ROOT/<alphabet>/<character>/ folder and read that instead.
        string[] wanted = ["Greek/character01", "Greek/character02", "Korean/character05"];
        using var folder = new TempFolder();
        using (var archive = ZipFile.OpenRead(OmniglotData.Small1))
            foreach (var entry in archive.Entries)
            {
                var parts = entry.FullName.Split('/');
                if (parts.Length == 4 && parts[3].Length > 0 && wanted.Contains($"{parts[1]}/{parts[2]}"))
                {
                    using var stream = entry.Open();
                    using var copy = new MemoryStream();
                    stream.CopyTo(copy);
                    folder.Write($"{parts[1]}/{parts[2]}/{parts[3]}", copy.ToArray());
                }
            }

        var fromFolder = ImageDataset.Load([folder.Path]);

        Assert.Equal(wanted, fromFolder.Classes.Select(c => c.Key));
        foreach (var c in fromFolder.Classes)
        {
            var fromZip = omniglot.Union.Find(c.Key)!;
            Assert.Equal(fromZip.Count, c.Count);
            Assert.Equal(fromZip.Files.Select(Path.GetFileName), c.Files.Select(Path.GetFileName));
            for (int i = 0; i < c.Count; i++)
                Assert.True(fromZip.Image(i).SequenceEqual(c.Image(i)), $"{c.Key} image {i} differs");
        }
    }

    [Fact]
    public void ImagesWithTheSameBytesInOneClassAreCountedOnceAndOthersKept()
    {
        using var first = new TempFolder();
        using var second = new TempFolder();
        var a = PngImages.Rectangle(12, 0, 0, 6, 6, 1);
        var b = PngImages.Rectangle(12, 6, 6, 12, 12, 2);
        var c = PngImages.Rectangle(12, 3, 3, 9, 9, 3);
        first.Write("g/k/a.png", a);
        first.Write("g/k/b.png", b);
        second.Write("g/k/a-copy.png", a);   // same bytes, other name: a duplicate
        second.Write("g/k/b.png", c);        // same name, other bytes: a different drawing
        second.Write("g/other/a.png", a);    // same bytes in another class: kept there

        var dataset = ImageDataset.Load([first.Path, second.Path]);

        Assert.Equal(["g/k", "g/other"], dataset.Classes.Select(x => x.Key));
        Assert.Equal(3, dataset.Find("g/k")!.Count);
        Assert.Equal(1, dataset.DuplicatesSkipped);
        Assert.Equal(4, dataset.ImageCount);
    }

    [Fact]
    public void ColourAndTransparentImagesBecomeLuminanceOverWhite()
    {
        using var folder = new TempFolder();
        // Pure red: luma 0.299 -> inverted 0.701. Fully transparent: paper -> inverted 0.
        folder.Write("g/red/x.png", Encode(SkiaSharp.SKColors.Red));
        folder.Write("g/clear/x.png", Encode(SkiaSharp.SKColors.Transparent));

        var dataset = ImageDataset.Load([folder.Path], new ImageFormat(4, 4));

        Assert.All(dataset.Find("g/red")!.Image(0).ToArray(), v => Assert.Equal(Math.Round(0.701 * 255), v));
        Assert.All(dataset.Find("g/clear")!.Image(0).ToArray(), v => Assert.Equal(0, v));
        var rgb = ImageDataset.Load([folder.Path], new ImageFormat(4, 4, Channels: 3, Invert: false)).Find("g/red")!.Image(0).ToArray();
        Assert.Equal([255, 0, 0], new[] { rgb[0], rgb[16], rgb[32] }.Select(v => (int)v));

        static byte[] Encode(SkiaSharp.SKColor colour)
        {
            using var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(8, 8, SkiaSharp.SKColorType.Rgba8888, SkiaSharp.SKAlphaType.Unpremul));
            bitmap.Erase(colour);
            using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            return data.ToArray();
        }
    }
}
