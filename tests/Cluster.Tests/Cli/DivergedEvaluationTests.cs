using System.Text.Json;
using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.Cli;

namespace MetaCluster.Tests.Cli;

/// <summary><c>eval</c> of a model whose adaptation diverges: the diverged tasks are counted, never averaged into NaN.</summary>
public sealed class DivergedEvaluationTests
{
    private static void SinusoidCheckpoint(TempFolder folder, double innerLr)
    {
        var theta = new MetaCluster.Learning.Tasks.SinusoidTasks().CreateModel().Initialize(4).data<float>().ToArray();
        new Checkpoint("run-test", new RunDefinition { Algorithm = "maml", InnerLr = innerLr, Seed = 4 }, 2000, 2000, theta, null, null)
            .Save(Path.Combine(folder.Path, "checkpoints", "final.ckpt"));
    }

    [Fact]
    public async Task AnEvaluationWhoseTasksDivergeCountsThemInsteadOfWritingNaN()
    {
        using var folder = new TempFolder();
        // An inner learning rate of 1e20 throws every adapted model far past float32's range.
        SinusoidCheckpoint(folder, innerLr: 1e20);
        var output = new StringWriter();

        Assert.Equal(0, await CommandLine.RunAsync(["eval", "--run", folder.Path, "--eval-tasks", "30", "--eval-inner-steps", "0,3"], output, new StringWriter()));

        string json = File.ReadAllText(Path.Combine(folder.Path, "eval.json"));
        Assert.DoesNotContain("NaN", json);
        Assert.DoesNotContain("Infinity", json);
        var results = JsonDocument.Parse(json).RootElement.GetProperty("results");
        Assert.Equal(0, results[0].GetProperty("diverged").GetInt32());
        Assert.True(results[0].GetProperty("mean").GetDouble() > 0);
        Assert.Equal(30, results[1].GetProperty("diverged").GetInt32());
        Assert.False(results[1].TryGetProperty("mean", out _));
        Assert.Contains("after   3 inner step(s): mse all 30 of 30 task(s) diverged (non-finite metric) over 30 episode(s)", output.ToString());
    }
}
