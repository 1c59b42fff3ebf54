using System.Text.Json;
using MetaCluster.Coordinator.Cli;

namespace MetaCluster.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class EndToEndTrainingTests
{
    [Fact]
    public async Task AShortRunThroughTheCliLowersTheQueryLossAndWritesTheRunDirectory()
    {
        string outDir = ClusterRuns.TempDirectory();
        var output = new StringWriter();
        int exit = await CommandLine.RunAsync(
            ["train", "--task", "sinusoid", "--algorithm", "maml", "--meta-steps", "300", "--meta-batch", "10", "--outer-lr", "0.01",
             "--workers", "2", "--eval-tasks", "50", "--eval-inner-steps", "0,1,5", "--log-every", "1", "--seed", "1", "--out", outDir],
            output, new StringWriter());
        Assert.True(exit == 0, output.ToString());

        var lines = File.ReadAllLines(Path.Combine(outDir, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(300, lines.Length);
        double early = lines.Take(30).Average(l => l.GetProperty("loss").GetDouble());
        double late = lines.TakeLast(30).Average(l => l.GetProperty("loss").GetDouble());
        Assert.True(late < 0.8 * early, $"query loss went from {early:F3} to {late:F3}");

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        var root = summary.RootElement;
        Assert.Equal("sinusoid", root.GetProperty("task").GetString());
        Assert.Equal(2, root.GetProperty("workers").GetInt32());
        Assert.True(root.GetProperty("tasks_per_second").GetDouble() > 0);
        var eval = root.GetProperty("eval");
        Assert.Equal("mse", eval.GetProperty("metric").GetString());
        Assert.Equal(50, eval.GetProperty("episodes").GetInt32());
        var results = eval.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal([0, 1, 5], results.Select(r => r.GetProperty("inner_steps").GetInt32()));
        // Adapting on the support set helps the meta-trained model.
        Assert.True(results[2].GetProperty("mean").GetDouble() < results[0].GetProperty("mean").GetDouble());
        Assert.All(results, r => Assert.True(r.GetProperty("ci95").GetDouble() > 0));
        Assert.True(File.Exists(Path.Combine(outDir, "checkpoints", "final.ckpt")));
    }
}
