using System.Text.Json;
using MetaCluster.Coordinator.Output;

namespace MetaCluster.Tests.RunFiles;

public sealed class EvaluationAndMetricsFileTests
{
    [Fact]
    public void DivergedTasksAreCountedAndLeftOutOfTheMeanAndInterval()
    {
        var point = EvaluationPoint.Of(10, [1.0, double.NaN, 3.0, double.PositiveInfinity, 2.0]);

        Assert.Equal((10, 2.0, 2), (point.InnerSteps, point.Mean!.Value, point.Diverged));
        Assert.Equal(1.96 * 1.0 / Math.Sqrt(3), point.Ci95!.Value, 12);
        Assert.Equal("2.0000 ± 1.1316 (2 of 5 task(s) diverged, left out)", point.Describe(5));
        string json = JsonSerializer.Serialize(new EvaluationReport("mse", 5, [point]), RunJson.Indented);
        Assert.DoesNotContain("NaN", json);
        Assert.Contains("\"diverged\": 2", json);
    }

    [Fact]
    public void WhenEveryTaskDivergedThereIsNoMeanAndTheLineSaysSo()
    {
        var point = EvaluationPoint.Of(1, [double.NaN, double.NegativeInfinity]);

        Assert.Null(point.Mean);
        Assert.Null(point.Ci95);
        Assert.Equal("all 2 of 2 task(s) diverged (non-finite metric)", point.Describe(2));
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(point, RunJson.Indented));
        Assert.False(json.RootElement.TryGetProperty("mean", out _));
        Assert.Equal(2, json.RootElement.GetProperty("diverged").GetInt32());
    }

    [Fact]
    public void AnUnreadableMetricsLineBeforeTheLastIsDamageNamedByFileAndLine()
    {
        using var folder = new TempFolder();
        var directory = new RunDirectory(folder.Path);
        string metrics = Path.Combine(folder.Path, "metrics.jsonl");
        File.WriteAllText(metrics, "{\"step\":1}\n{\"step\":2\n{\"step\":3}\n");

        var error = Assert.Throws<InvalidDataException>(() => directory.TruncateMetrics(3));

        Assert.StartsWith($"{metrics}:2: not a metrics line", error.Message);
    }
}
