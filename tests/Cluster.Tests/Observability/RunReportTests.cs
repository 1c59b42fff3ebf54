using MetaCluster.Coordinator.Observability;
using System.Buffers.Binary;
using MetaCluster.Coordinator.Cli;
using MetaCluster.Coordinator.Output;
using MetaCluster.ServiceDefaults.Telemetry;
using MetaCluster.Coordinator.Reporting;

namespace MetaCluster.Tests.Observability;

/// <summary>The report verb: PNG plots of the stated size, and report.md linking them under the summary table.</summary>
public sealed class RunReportTests
{
    private static string RunDirectory(bool withRelation)
    {
        string dir = ClusterRuns.TempDirectory();
        var output = new RunDirectory(dir);
        output.ResetMetrics();
        for (int step = 10; step <= 200; step += 10)
            output.AppendMetrics(new MetricsLine(step, 3.0 / Math.Sqrt(step), "mse", 3.0 / Math.Sqrt(step), 900 + step, 2, step / 90.0, 0));
        output.WriteJson("summary.json", new RunSummary
        {
            RunId = "run-report", Task = "sinusoid", Algorithm = "maml", MetaSteps = 200, MetaBatch = 25, Workers = 2, Shards = 2,
            TrainSeconds = 2.2, TasksPerSecond = 1100, FinalTrainLoss = 0.21,
            Eval = new EvaluationReport("mse", 600, [new(1, 0.9, 0.07), new(10, 0.5, 0.05)]),
        });
        if (withRelation)
            File.WriteAllText(Path.Combine(dir, "relation.json"),
                """{"step": 200, "tasks": ["a", "b", "c"], "matrix": [[0, 0.7, 0.3], [0.5, 0, 0.5], [0.9, 0.1, 0]]}""");
        return dir;
    }

    private static (int Width, int Height) PngSize(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1000, $"{path} has only {bytes.Length} bytes");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    [Fact]
    public async Task ReportVerbWritesEveryPlotAtItsSizeAndLinksThemFromReportMd()
    {
        string dir = RunDirectory(withRelation: true);
        var output = new StringWriter();
        Assert.Equal(0, await CommandLine.RunAsync(["report", "--run", dir], output, new StringWriter()));

        foreach (var plot in new[] { "learning_curve.png", "throughput.png", "evaluation.png" })
            Assert.Equal((RunReport.PlotWidth, RunReport.PlotHeight), PngSize(Path.Combine(dir, plot)));
        Assert.Equal((RunReport.HeatMapSize, RunReport.HeatMapSize), PngSize(Path.Combine(dir, "relation_matrix.png")));

        string report = File.ReadAllText(Path.Combine(dir, "report.md"));
        foreach (var plot in new[] { "learning_curve.png", "throughput.png", "evaluation.png", "relation_matrix.png" })
            Assert.Contains($"]({plot})", report);
        Assert.Contains("| throughput | 1100 tasks/s |", report);
        Assert.Contains("| 10 | 0.5000 | 0.0500 |", report);
        Assert.Contains("report.md", output.ToString());
    }

    [Fact]
    public void WithoutRelationJsonThereIsNoHeatMap()
    {
        string dir = RunDirectory(withRelation: false);
        var files = RunReport.Write(dir);
        Assert.DoesNotContain(files, f => f.EndsWith("relation_matrix.png", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(dir, "relation_matrix.png")));
        Assert.DoesNotContain("relation_matrix", File.ReadAllText(Path.Combine(dir, "report.md")));
    }

    [Fact]
    public async Task AMalformedMetricsLineIsNamedWithItsFileAndLine()
    {
        string dir = RunDirectory(withRelation: false);
        File.AppendAllText(Path.Combine(dir, "metrics.jsonl"), "{\"step\": \n");
        var errors = new StringWriter();
        Assert.Equal(2, await CommandLine.RunAsync(["report", "--run", dir], new StringWriter(), errors));
        Assert.Contains("metrics.jsonl:21", errors.ToString());
    }

    [Fact]
    public async Task ReportOfAMissingDirectoryIsAUsageError()
    {
        var errors = new StringWriter();
        Assert.Equal(2, await CommandLine.RunAsync(["report", "--run", "/nonexistent/run"], new StringWriter(), errors));
        Assert.Contains("--run: no directory", errors.ToString());
    }

    [Fact]
    public void RelationEntropyIsTheMeanRowEntropy()
    {
        // Uniform rows over the 2 other tasks: ln 2; a one-hot row: 0.
        Assert.Equal(Math.Log(2), RunMetrics.MeanRowEntropy([[0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]]), 12);
        Assert.Equal(Math.Log(2) / 2, RunMetrics.MeanRowEntropy([[0, 0.5, 0.5], [1, 0, 0]]), 12);
    }
}
