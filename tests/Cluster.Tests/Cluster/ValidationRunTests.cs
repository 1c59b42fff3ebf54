using System.Text.Json;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.Cli;

namespace MetaCluster.Tests.Cluster;

/// <summary>Meta-validation through whole `train` runs: validation lines, the best checkpoint, TensorBoard events, early stopping, and `eval` of the best.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ValidationRunTests
{
    private static string[] Train(string outDir, params string[] more) =>
        ["train", "--meta-steps", "6", "--meta-batch", "4", "--workers", "1", "--eval-tasks", "20", "--eval-inner-steps", "0,1", "--no-report", "--out", outDir, .. more];

    private static JsonElement[] MetricsLines(string outDir) =>
        File.ReadAllLines(Path.Combine(outDir, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToArray();

    [Fact]
    public async Task ValEveryWritesValidationLinesTheBestCheckpointAndTensorboardEventsAndEvaluatesTheBest()
    {
        string outDir = ClusterRuns.TempDirectory();
        var output = new StringWriter();
        var errors = new StringWriter();

        Assert.Equal(0, await CommandLine.RunAsync(Train(outDir, "--val-every", "2", "--val-tasks", "16", "--outer-lr", "0.01"), output, errors));

        var lines = MetricsLines(outDir);
        var validated = lines.Where(l => l.TryGetProperty("validation", out _)).ToArray();
        Assert.Equal([2L, 4, 6], validated.Select(l => l.GetProperty("step").GetInt64()));
        var values = validated.Select(l => l.GetProperty("validation").GetDouble()).ToArray();
        Assert.All(values, v => Assert.True(double.IsFinite(v) && v > 0));

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        var validation = summary.RootElement.GetProperty("validation");
        int bestIndex = Array.IndexOf(values, values.Min());
        long bestStep = 2 * (bestIndex + 1);
        Assert.Equal(bestStep, validation.GetProperty("best_step").GetInt64());
        Assert.Equal(values.Min(), validation.GetProperty("best_value").GetDouble());
        Assert.Equal(3, validation.GetProperty("validations").GetInt32());
        Assert.Contains("generated tasks", validation.GetProperty("split").GetString());
        Assert.Equal($"best.ckpt (step {bestStep})", summary.RootElement.GetProperty("evaluated_checkpoint").GetString());
        var environment = summary.RootElement.GetProperty("environment");
        Assert.StartsWith(".NET", environment.GetProperty("dotnet").GetString());
        Assert.False(string.IsNullOrEmpty(environment.GetProperty("torchsharp").GetString()));
        Assert.True(environment.GetProperty("cores").GetInt32() >= 1);

        string best = Path.Combine(outDir, "checkpoints", "best.ckpt");
        Assert.Equal(bestStep, Checkpoint.Load(best).Step);
        Assert.True(File.Exists(Path.Combine(outDir, "checkpoints", "best.safetensors")));
        Assert.Equal(6, Checkpoint.Load(Path.Combine(outDir, "checkpoints", "final.ckpt")).Step);
        Assert.Contains($"best validation mse {values.Min():0.0000} at step {bestStep}", output.ToString());
        Assert.Contains($"parameters of best.ckpt (step {bestStep})", output.ToString());

        var eventFiles = Directory.GetFiles(Path.Combine(outDir, "tensorboard"), "events.out.tfevents.*", SearchOption.AllDirectories);
        var scalars = TensorboardEventFile.Read(Assert.Single(eventFiles));
        Assert.Equal(values.Select(v => (float)v), scalars.Where(s => s.Tag == "validation/mse").Select(s => s.Value));
        Assert.Equal([2L, 4, 6], scalars.Where(s => s.Tag == "validation/mse").Select(s => s.Step));
        Assert.Equal(lines.Select(l => (float)l.GetProperty("loss").GetDouble()), scalars.Where(s => s.Tag == "train/loss").Select(s => s.Value));
        Assert.Contains(scalars, s => s.Tag == "train/tasks_per_second" && s.Value > 0);
        Assert.Equal([0L, 1], scalars.Where(s => s.Tag == "eval/mse").Select(s => s.Step));

        var evalOutput = new StringWriter();
        Assert.Equal(0, await CommandLine.RunAsync(["eval", "--run", outDir, "--eval-tasks", "20"], evalOutput, new StringWriter()));
        Assert.Contains($"step {bestStep}, the best validation's checkpoint)", evalOutput.ToString());

        // The run's final evaluation scored the best θ (the same tasks as eval's), not the last one, which scores otherwise.
        Assert.True(bestStep < 6, $"this run's best validation should come before its last step, to tell the two apart (values {string.Join(", ", values)})");
        double[] Means(JsonElement report) => report.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("mean").GetDouble()).ToArray();
        var fromRun = Means(summary.RootElement.GetProperty("eval"));
        using (var ofBest = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "eval.json"))))
            Assert.Equal(Means(ofBest.RootElement), fromRun, (a, b) => Math.Abs(a - b) < 1e-9);
        string finalDir = Path.Combine(outDir, "of-final");
        Assert.Equal(0, await CommandLine.RunAsync(["eval", "--checkpoint", Path.Combine(outDir, "checkpoints", "final.ckpt"), "--eval-tasks", "20", "--out", finalDir],
            new StringWriter(), new StringWriter()));
        using var ofFinal = JsonDocument.Parse(File.ReadAllText(Path.Combine(finalDir, "eval.json")));
        Assert.NotEqual(Means(ofFinal.RootElement), fromRun);
    }

    [Fact]
    public async Task EarlyStopEndsARunWhoseValidationStopsImproving()
    {
        string outDir = ClusterRuns.TempDirectory();
        var output = new StringWriter();
        // An outer rate far below float resolution: θ, and so the validation metric, never changes, and never improves after the first.
        string[] train = Train(outDir, "--val-every", "1", "--val-tasks", "8", "--early-stop", "2", "--outer-lr", "1e-30");
        train[Array.IndexOf(train, "--meta-steps") + 1] = "20";

        Assert.Equal(0, await CommandLine.RunAsync(train, output, new StringWriter()));

        Assert.Contains("stopped early at step 3: 2 validation(s) in a row without improvement", output.ToString());
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        var validation = summary.RootElement.GetProperty("validation");
        Assert.Equal(3, validation.GetProperty("stopped_early_at").GetInt64());
        Assert.Equal(1, validation.GetProperty("best_step").GetInt64());
        Assert.Equal([1L, 2, 3], MetricsLines(outDir).Select(l => l.GetProperty("step").GetInt64()));
        Assert.Equal(3, Checkpoint.Load(Path.Combine(outDir, "checkpoints", "final.ckpt")).Step);
        Assert.Equal(1, Checkpoint.Load(Path.Combine(outDir, "checkpoints", "best.ckpt")).Step);
    }

    [Fact]
    public async Task WithoutValEveryThereIsNoValidationAndTheFinalParametersAreEvaluated()
    {
        string outDir = ClusterRuns.TempDirectory();
        var output = new StringWriter();

        Assert.Equal(0, await CommandLine.RunAsync(Train(outDir), output, new StringWriter()));

        Assert.All(MetricsLines(outDir), l => Assert.False(l.TryGetProperty("validation", out _)));
        Assert.False(File.Exists(Path.Combine(outDir, "checkpoints", "best.ckpt")));
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.False(summary.RootElement.TryGetProperty("validation", out _));
        Assert.False(summary.RootElement.TryGetProperty("evaluated_checkpoint", out _));
        Assert.DoesNotContain("best", output.ToString());
    }
}
