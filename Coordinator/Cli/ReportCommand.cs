using MetaCluster.Coordinator.Output;
using MetaCluster.ServiceDefaults.Options;
using MetaCluster.Coordinator.Reporting;

namespace MetaCluster.Coordinator.Cli;

/// <summary><c>report --run DIR</c>: plots and report.md for a run directory (also written at the end of <c>train</c>).</summary>
public static class ReportCommand
{
    /// <summary>Runs the verb; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output)
    {
        var o = new OptionReader(args, ["run"], []);
        string directory = o.OptionalString("run") ?? throw new UsageException("--run DIR is required: the run directory to report on");
        if (!Directory.Exists(directory)) throw new UsageException($"--run: no directory '{directory}'");
        try
        {
            WriteReport(directory, output);
        }
        catch (InvalidDataException e)
        {
            throw new UsageException(e.Message);
        }
        return 0;
    }

    /// <summary>Writes the report of <paramref name="directory"/> and names what was written.</summary>
    public static void WriteReport(string directory, TextWriter output)
    {
        var files = RunReport.Write(directory);
        output.WriteLine($"report: {Path.GetFullPath(files[^1])} ({files.Count - 1} plot(s))");
    }
}
