using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Images;
using MetaCluster.Learning.Optimisation;
using MetaCluster.Learning.Tasks;
using SkiaSharp;

namespace MetaCluster.Tests.Images;

/// <summary>
/// A generated RGB set in mini-ImageNet's shape (colour photographs, not 28×28, read at 84×84)
/// through the family the command line builds: <c>--image-size 84 --channels 3 --invert false</c>.
/// </summary>
public sealed class RgbImageFolderTests
{
    // Each class is a colour; every image a 100×100 field of it with a little noise, so resizing
    // to 84 really happens. The three test classes have the same luma to the unit
    // (299·R + 587·G + 114·B = 128 000) and the noise moves all channels alike, so only the colour
    // tells them apart: read as grayscale they are one class.
    private static readonly (string Name, byte R, byte G, byte B)[] Colours =
    [
        ("red", 220, 30, 30), ("green", 30, 200, 40), ("blue", 40, 40, 210), ("yellow", 230, 220, 40), ("cyan", 30, 210, 220),
        ("ochre", 191, 113, 40), ("sky", 50, 152, 209), ("leaf", 49, 183, 52),
    ];

    private static readonly ImageFormat MiniImageNet = new(84, 84, Channels: 3, Invert: false);

    private static TempFolder WriteSet()
    {
        var folder = new TempFolder();
        for (int c = 0; c < Colours.Length; c++)
        {
            // mini-ImageNet's split folders are the groups: train (5 classes) and test (3).
            string group = c < 5 ? "train" : "test";
            for (int i = 0; i < 4; i++)
                folder.Write($"{group}/{Colours[c].Name}/{i}.png", Field(Colours[c], (ulong)(c * 10 + i)));
        }
        return folder;
    }

    private static byte[] Field((string Name, byte R, byte G, byte B) colour, ulong seed)
    {
        var random = new TaskRandom(seed, 0, 0, 0);
        using var bitmap = new SKBitmap(new SKImageInfo(100, 100, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (int y = 0; y < 100; y++)
            for (int x = 0; x < 100; x++)
            {
                int noise = random.NextInt(11) - 5;
                byte Noisy(byte v) => (byte)(v + noise);
                bitmap.SetPixel(x, y, new SKColor(Noisy(colour.R), Noisy(colour.G), Noisy(colour.B)));
            }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static ImageTasks Family(TempFolder folder, ImageFormat format) =>
        Assert.IsType<ImageTasks>(TaskFamilyCatalog.Create("images", new TaskDataOptions
        {
            Data = [folder.Path], EvalGroups = ["test"], Ways = 3, ImageFormat = format,
        }));

    [Fact]
    public void AnRgbFolderIsReadAt84PixelsInThreeChannelsWithItsColoursKept()
    {
        using var folder = WriteSet();
        var family = Family(folder, MiniImageNet);

        Assert.Equal(MiniImageNet, family.Format);
        Assert.Equal(["train"], family.Train.Groups);
        Assert.Equal(["test"], family.Evaluation.Groups);
        using var batch = family.Sample(2, TaskStream.Evaluation, 0, [0, 1], new EpisodeShape(3, 1, 2));
        Assert.Equal([2, 3, 3, 84, 84], batch.SupportX.shape);
        Assert.Equal([2, 6, 3, 84, 84], batch.QueryX.shape);

        // Each stored image's channel means are its class's colour (noise ±5 averages out), not inverted.
        foreach (var cls in family.Evaluation.Classes)
        {
            var colour = Colours.Single(c => c.Name == cls.Name);
            var pixels = cls.Image(0).ToArray();
            Assert.Equal(3 * 84 * 84, pixels.Length);
            byte[] expected = [colour.R, colour.G, colour.B];
            for (int channel = 0; channel < 3; channel++)
            {
                double mean = pixels.Skip(channel * 84 * 84).Take(84 * 84).Average(v => (double)v);
                Assert.InRange(mean, expected[channel] - 2.0, expected[channel] + 2.0);
            }
        }

        var model = Assert.IsType<Cnn4>(family.CreateModel());
        Assert.Equal(new long[] { 3, 84, 84 }, model.InputShape);
        Assert.Equal(64 * 5 * 5, model.FeatureSize);   // 84 → 42 → 21 → 10 → 5
    }

    [Fact]
    public void WithoutImageOptionsTheSameFolderIsReadAsOmniglotGrayscaleInverted()
    {
        using var folder = WriteSet();
        var family = Assert.IsType<ImageTasks>(TaskFamilyCatalog.Create("images", new TaskDataOptions { Data = [folder.Path], EvalGroups = ["test"] }));

        Assert.Equal(ImageFormat.Omniglot, family.Format);
        var red = family.Train.Classes.Single(c => c.Name == "red").Image(0).ToArray();
        Assert.Equal(28 * 28, red.Length);
        // Luma of (220, 30, 30) is 0.299·220 + 0.587·30 + 0.114·30 ≈ 86.8; inverted ≈ 168.
        Assert.InRange(red.Average(v => (double)v), 166.0, 170.5);
        Assert.Equal(new long[] { 1, 28, 28 }, Assert.IsType<Cnn4>(family.CreateModel()).InputShape);
    }

    [Fact]
    public void ProtoNetTellsUnseenClassesOfEqualLuminanceApartOnlyInRgb()
    {
        using var folder = WriteSet();
        double rgb = ProtoNetHeldOutAccuracy(Family(folder, new ImageFormat(32, 32, Channels: 3, Invert: false)));
        double gray = ProtoNetHeldOutAccuracy(Family(folder, new ImageFormat(32, 32, Channels: 1, Invert: false)));
        Assert.True(rgb > 0.9, $"RGB: held-out accuracy {rgb:P0} on colour classes");
        // Chance is 1/3: in grayscale the three held-out classes are the same noise.
        Assert.True(gray < 0.6, $"grayscale: held-out accuracy {gray:P0}, though the classes differ only in colour");
    }

    private static double ProtoNetHeldOutAccuracy(ImageTasks family)
    {
        var model = family.CreateModel();
        var protonet = new ProtoNet();
        var theta = protonet.InitializeMetaParameters(model, 4);
        using var adam = new Adam(1e-3);
        var shape = new EpisodeShape(3, 1, 3);
        for (int step = 0; step < 3; step++)
        {
            using var batch = family.Sample(4, TaskStream.Train, step, [0, 1], shape);
            using var gradient = protonet.ComputeShard(model, theta, batch).GradientSum;
            adam.Apply(theta, gradient);
        }
        using var heldOut = family.Sample(4, TaskStream.Evaluation, 0, [0, 1, 2, 3, 4, 5], shape);
        return protonet.Evaluate(model, theta, heldOut, [0]).Metrics.Cast<double>().Average();
    }
}
