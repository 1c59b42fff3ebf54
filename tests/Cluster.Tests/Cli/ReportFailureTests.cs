using MetaCluster.Coordinator.Cli;
using MetaCluster.Coordinator.Output;
using MetaCluster.Coordinator.Reporting;

namespace MetaCluster.Tests.Cli;

/// <summary>A report that cannot be written: no half files, and after a run one warning line instead of a crash.</summary>
public sealed class ReportFailureTests
{
    private static TempFolder RunDirectoryWithMetrics(string? tornLine = null)
    {
        var folder = new TempFolder();
        var output = new RunDirectory(folder.Path);
        output.ResetMetrics();
        for (int step = 1; step <= 20; step++)
            output.AppendMetrics(new MetricsLine(step, 2.0 / step, "mse", 2.0 / step, 100, 1, step, 0));
        if (tornLine is not null) File.AppendAllText(Path.Combine(folder.Path, "metrics.jsonl"), tornLine);
        return folder;
    }

    [Fact]
    public void AFullDiskWhileWritingThePlotsLeavesNoPartialFile()
    {
        using var folder = RunDirectoryWithMetrics();
        var disk = new FullDisk(bytesLeft: 5000);

        Assert.Throws<IOException>(() => RunReport.Write(folder.Path, disk.Open));

        Assert.Equal(Path.Combine(folder.Path, "learning_curve.png.tmp"), disk.Opened[0]);
        Assert.Equal(["metrics.jsonl"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void AReportThatCannotBeWrittenAfterARunIsOneWarningLine()
    {
        using var folder = RunDirectoryWithMetrics();
        // A folder where report.md belongs: the rename fails even for root, as a read-only folder would for others.
        Directory.CreateDirectory(Path.Combine(folder.Path, "report.md"));
        var errors = new StringWriter();

        ReportCommand.WriteReport(folder.Path, new StringWriter(), errors);

        var lines = errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("warning: no report: ", lines[0]);
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp"));
    }

    [Fact]
    public async Task TheReportVerbFailsWithExitOneWhenItCannotWrite()
    {
        using var folder = RunDirectoryWithMetrics();
        Directory.CreateDirectory(Path.Combine(folder.Path, "learning_curve.png.tmp"));

        Assert.Equal(1, await CommandLine.RunAsync(["report", "--run", folder.Path], new StringWriter(), new StringWriter()));
    }

    [Fact]
    public void ATornLastMetricsLineIsLeftOutOfTheReportAndNamed()
    {
        using var folder = RunDirectoryWithMetrics(tornLine: "{\"step\":21,\"loss\":0.0");

        RunReport.Write(folder.Path);

        Assert.Contains("The last line of metrics.jsonl (line 21) is torn", File.ReadAllText(Path.Combine(folder.Path, "report.md")));
    }
}
