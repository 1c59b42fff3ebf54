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
            Report(directory, output);
        }
        catch (InvalidDataException e)
        {
            throw new UsageException(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Writing is what this verb is for: a failure is the verb's failure, in one line.
            Console.Error.WriteLine($"error: could not write the report in {directory}: {e.Message}");
            return 1;
        }
        return 0;
    }

    /// <summary>
    /// Writes the report of <paramref name="directory"/> after a run and names what was written. The
    /// run itself is done by then: a report that cannot be written (a full disk, unreadable metrics)
    /// is one warning line on <paramref name="errors"/> (default: standard error), not a failure.
    /// </summary>
    public static void WriteReport(string directory, TextWriter output, TextWriter? errors = null)
    {
        try
        {
            Report(directory, output);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            (errors ?? Console.Error).WriteLine($"warning: no report: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    private static void Report(string directory, TextWriter output)
    {
        var files = RunReport.Write(directory);
        output.WriteLine($"report: {Path.GetFullPath(files[^1])} ({files.Count - 1} plot(s))");
    }
}
