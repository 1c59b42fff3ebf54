using System.Text.Json;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.Cli;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Learning.Images;
using MetaCluster.Abstractions;

namespace MetaCluster.Tests.Cli;

public sealed class EvalCommandTests
{
    [Fact]
    public async Task ASingleEpisodeFolderGetsAPredictionForEveryQueryImageAndAScore()
    {
        using var data = new TempFolder();
        ulong noise = 0;
        // Two shapes that a nearest-prototype rule separates even with random features.
        foreach (var group in new[] { "g1", "g2" })
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < 3; i++)
                    data.Write($"{group}/c{c}/{i}.png", PngImages.Rectangle(28, 2 + 8 * c, 2, 8 + 8 * c, 26, ++noise));
        using var episode = new TempFolder();
        foreach (var (cls, left) in new[] { ("wide", 2), ("narrow", 18) })
        {
            episode.Write($"support/{cls}/s.png", PngImages.Rectangle(28, left, 2, left + 8, 26, ++noise));
            episode.Write($"query/{cls}/q1.png", PngImages.Rectangle(28, left, 3, left + 8, 25, ++noise));
            episode.Write($"query/{cls}/q2.png", PngImages.Rectangle(28, left + 1, 2, left + 7, 26, ++noise));
        }
        var run = new RunDefinition { Task = "images", Algorithm = "protonet", Data = [data.Path], Ways = 2, Shots = 1, Query = 1, EvalInnerSteps = [0] };
        var theta = new Cnn4(2).Initialize(3).data<float>().ToArray();
        string checkpoint = Path.Combine(episode.Path, "model.ckpt");
        new Checkpoint("run-test", run, 1, 0, theta, null, null).Save(checkpoint);
        string outDir = Path.Combine(episode.Path, "out");

        var output = new StringWriter();
        Assert.Equal(0, await CommandLine.RunAsync(["eval", "--checkpoint", checkpoint, "--episodes", episode.Path, "--out", outDir], output, new StringWriter()));

        var lines = output.ToString().Split('\n').Where(l => l.Contains(".png", StringComparison.Ordinal)).ToArray();
        Assert.Equal(4, lines.Length);
        Assert.All(lines, l => Assert.Matches(@"^(wide|narrow)/q\d\.png\t(wide|narrow)\t\(actual \1", l));
        double correct = lines.Count(l => !l.Contains("wrong", StringComparison.Ordinal)) / 4.0;
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "eval.json")));
        Assert.Equal("accuracy", report.RootElement.GetProperty("metric").GetString());
        Assert.Equal(correct, report.RootElement.GetProperty("per_episode")[0].GetProperty("accuracy").GetDouble(), 9);
        Assert.Equal(correct, report.RootElement.GetProperty("results")[0].GetProperty("mean").GetDouble(), 9);
    }

    [Fact]
    public async Task SampledEvaluationOfACheckpointWritesEvalJson()
    {
        using var folder = new TempFolder();
        var run = new RunDefinition { Task = "sinusoid", Algorithm = "fomaml", Shots = 5, Query = 10, InnerLr = 0.01, EvalInnerSteps = [0, 5], Seed = 4 };
        var theta = new MetaCluster.Learning.Tasks.SinusoidTasks().CreateModel().Initialize(4).data<float>().ToArray();
        new Checkpoint("run-test", run, 7, 0, theta, null, null).Save(Path.Combine(folder.Path, "checkpoints", "step-00000007.ckpt"));

        Assert.Equal(0, await CommandLine.RunAsync(["eval", "--run", folder.Path, "--eval-tasks", "40"], new StringWriter(), new StringWriter()));

        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "eval.json")));
        var root = report.RootElement;
        Assert.Equal(40, root.GetProperty("episodes").GetInt32());
        Assert.Equal(7, root.GetProperty("step").GetInt64());
        var results = root.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("mean").GetDouble()).ToArray();
        Assert.All(results, r => Assert.True(double.IsFinite(r) && r > 0));
        Assert.NotEqual(results[0], results[1]);
    }

    [Fact]
    public async Task AMissingCheckpointIsOneLineAndExitCodeTwo()
    {
        var errors = new StringWriter();
        Assert.Equal(2, await CommandLine.RunAsync(["eval", "--run", "/nonexistent/run"], new StringWriter(), errors));
        Assert.Contains("holds no checkpoint", errors.ToString());
    }
}
