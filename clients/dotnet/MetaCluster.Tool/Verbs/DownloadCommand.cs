using System.CommandLine;
using System.Globalization;
using MetaCluster.Tool.Cli;
using MetaCluster.Tool.Output;

namespace MetaCluster.Tool.Verbs;

/// <summary><c>download RUN [--out DIR]</c>: every file of the run's directory, checkpoints included; resumes a broken download.</summary>
public static class DownloadCommand
{
    /// <summary>The verb.</summary>
    public static Command Create(ConnectionOptions connection, ToolContext context)
    {
        var command = new Command("download", "Copy every file of a run's directory (checkpoints included); run it again to resume a broken copy");
        var run = new RunIdInput().AddTo(command);
        var output = new Option<string?>("--out") { Description = "Where the run directory goes [./RUN]", HelpName = "DIR" };
        command.Add(output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            string runId = run.Read(parse);
            string directory = parse.GetValue(output) ?? runId;
            if (string.IsNullOrWhiteSpace(directory)) throw new UsageException("--out must name a directory");
            using var client = connection.Connect(parse);
            var files = await client.DownloadAsync(runId, directory, cancellationToken);
            string full = Path.GetFullPath(directory);
            if (connection.Json(parse))
            {
                ToolJson.WriteDocument(context.Out, new { RunId = runId, Directory = full, Files = files.Select(f => new { f.Path, f.Size, f.ResumedFrom }) });
                return ExitCodes.Ok;
            }
            foreach (var f in files)
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{f.Size,12}  {f.Path}{(f.ResumedFrom > 0 ? $"  (resumed at byte {f.ResumedFrom})" : "")}"));
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{files.Count} file(s), {files.Sum(f => f.Size)} bytes in {full}"));
            return ExitCodes.Ok;
        });
        return command;
    }
}
