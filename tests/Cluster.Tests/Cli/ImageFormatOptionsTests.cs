using System.Text.Json;
using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Cli;
using MetaCluster.Coordinator.Definitions;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Learning.Images;
using MetaCluster.ServiceDefaults.Options;
using MetaCluster.TaskWorker.Execution;
using MetaCluster.Tests.Cluster;
using SkiaSharp;

namespace MetaCluster.Tests.Cli;

/// <summary>
/// <c>--image-size</c>, <c>--channels</c> and <c>--invert</c> from the command line to the workers'
/// task family, with Omniglot's format left as it was when they are not given.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ImageFormatOptionsTests
{
    [Fact]
    public void TheOptionsReachTheWorkersFamilyAndTheDefaultsLeaveTheSpecAsItWas()
    {
        using var folder = ColourSet();
        var rgb = TrainOptions.Parse(["--task", "images", "--data", folder.Path, "--eval-groups", "test", "--image-size", "36", "--channels", "3", "--invert", "false"]).Run;
        Assert.Equal((36, 3, false), (rgb.ImageSize, rgb.Channels, rgb.Invert));
        var spec = rgb.ToSpec();
        Assert.Equal((36, 3, true, false), (spec.ImageSize, spec.Channels, spec.HasInvert, spec.Invert));
        var family = Assert.IsType<ImageTasks>(ResolvedRunSpec.From(spec).Family);
        Assert.Equal(new ImageFormat(36, 36, 3, Invert: false), family.Format);
        Assert.Equal(rgb.ImageFormat(), family.Format);

        // Through the public API and back.
        var api = ApiRunDefinitions.ToRecord(ApiRunDefinitions.ToApi(rgb));
        Assert.Equal((36, 3, false), (api.ImageSize, api.Channels, api.Invert));

        var omniglot = TrainOptions.Parse(["--task", "images", "--data", folder.Path, "--eval-groups", "test"]).Run;
        Assert.Equal((28, 1, true), (omniglot.ImageSize, omniglot.Channels, omniglot.Invert));
        var defaultSpec = omniglot.ToSpec();
        Assert.Equal((0, 0, false), (defaultSpec.ImageSize, defaultSpec.Channels, defaultSpec.HasInvert));
        Assert.Equal(ImageFormat.Omniglot, Assert.IsType<ImageTasks>(ResolvedRunSpec.From(defaultSpec).Family).Format);
        Assert.Equal(ImageFormat.Omniglot, ApiRunDefinitions.ToRecord(new MetaCluster.Protos.Api.V1.RunDefinition()).ImageFormat());
    }

    [Theory]
    [InlineData("--channels", "2", "--channels must be 1 (grayscale) or 3 (RGB), got 2")]
    [InlineData("--image-size", "2", "--image-size must be between 4 and 1024, got 2")]
    public void BadValuesAreOneLineNamingTheOption(string option, string value, string message) =>
        Assert.Contains(message, Assert.Throws<UsageException>(() => TrainOptions.Parse(["--task", "images", "--data", "x", option, value])).Message);

    [Fact]
    public async Task ARunOnAnRgbFolderTrainsThroughTwoWorkers()
    {
        using var folder = ColourSet();
        var run = new RunDefinition
        {
            Task = "images", Algorithm = "matchingnet", Data = [folder.Path], EvalGroups = ["test"],
            ImageSize = 36, Channels = 3, Invert = false, Ways = 3, Shots = 1, Query = 2, MetaBatch = 4,
            MetaSteps = 3, EvalTasks = 4, EvalInnerSteps = [0], Workers = 2, Shards = 2, LogEvery = 1, Seed = 2,
            OutputDirectory = ClusterRuns.TempDirectory(),
        };
        var (status, final) = await ClusterRuns.RunAsync(run);

        Assert.Equal(RunState.Completed, status.State);
        Assert.Equal(3, final.Step);
        // The parameters are those of a CNN-4 on 3 channels (a 1-channel model has 2·64·9 fewer).
        Assert.Equal(new Cnn4(3, 3, 36, 36).Layout.Count, final.Theta.Length);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.OutputDirectory!, "summary.json")));
        Assert.Equal("accuracy", summary.RootElement.GetProperty("eval").GetProperty("metric").GetString());
    }

    // Three training and three test classes, each a flat colour at 40×40 with a little noise.
    private static TempFolder ColourSet()
    {
        var folder = new TempFolder();
        (string Group, string Name, SKColor Colour)[] classes =
        [
            ("train", "red", new(220, 30, 30)), ("train", "green", new(30, 200, 40)), ("train", "blue", new(40, 40, 210)),
            ("test", "ochre", new(191, 113, 40)), ("test", "sky", new(50, 152, 209)), ("test", "leaf", new(49, 183, 52)),
        ];
        foreach (var (group, name, colour) in classes)
            for (int i = 0; i < 3; i++)
            {
                using var bitmap = new SKBitmap(new SKImageInfo(40, 40, SKColorType.Rgba8888, SKAlphaType.Opaque));
                bitmap.Erase(colour);
                bitmap.SetPixel(i, i, SKColors.White);
                using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                folder.Write($"{group}/{name}/{i}.png", data.ToArray());
            }
        return folder;
    }
}
