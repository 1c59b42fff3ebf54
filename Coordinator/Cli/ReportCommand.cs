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
                WriteReport(directory, result.InvocationConfiguration.Output);
            }
            catch (InvalidDataException e)
            {
                throw new UsageException(e.Message);
            }
            return 0;
        });
        return command;
    }

    /// <summary>Writes the report of <paramref name="directory"/> and names what was written.</summary>
    public static void WriteReport(string directory, TextWriter output)
    {
        var files = RunReport.Write(directory);
        output.WriteLine($"report: {Path.GetFullPath(files[^1])} ({files.Count - 1} plot(s))");
    }
}
