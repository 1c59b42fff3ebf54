using System.CommandLine;
using MetaCluster.Coordinator.Reporting;
using MetaCluster.ServiceDefaults.Options;

namespace MetaCluster.Coordinator.Cli;

/// <summary><c>report --run DIR</c>: plots and report.md for a run directory (also written at the end of <c>train</c>).</summary>
public sealed class ReportCommand : IVerb
{
    private readonly Option<string> run = new("--run") { Description = "the run directory to report on", HelpName = "DIR", Required = true };

    /// <inheritdoc />
    public int Order => 90;

    /// <inheritdoc />
    public Command Create()
    {
        var command = new Command("report", "write plots and report.md for a run directory (--run DIR)");
        command.Options.Add(run);
        command.SetAction(result =>
        {
            string directory = result.GetValue(run)!;
            if (!Directory.Exists(directory)) throw new UsageException($"--run: no directory '{directory}'");
            try
            {
                Report(directory, result.InvocationConfiguration.Output);
            }
            catch (InvalidDataException e)
            {
                throw new UsageException(e.Message);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Writing is what this verb is for: a failure is the verb's failure, in one line.
                result.InvocationConfiguration.Error.WriteLine($"error: could not write the report in {directory}: {e.Message}");
                return 1;
            }
            return 0;
        });
        return command;
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
