using System.CommandLine;
using MetaCluster.Client;
using MetaCluster.Tool.Cli;
using MetaCluster.Tool.Output;

namespace MetaCluster.Tool.Verbs;

/// <summary><c>runs [--tag K=V]… [--limit N]</c>: the coordinator's runs, newest first.</summary>
public static class RunsCommand
{
    /// <summary>The verb.</summary>
    public static Command Create(ConnectionOptions connection, ToolContext context)
    {
        var command = new Command("runs", "List the coordinator's runs, newest first");
        var tags = new TagOptions("Only runs with this tag (repeatable: all of them)").AddTo(command);
        var limit = NumberOptions.Single<int>("limit", "At most this many runs [all]");
        command.Add(limit);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var filter = tags.Read(parse);
            int? most = parse.GetValue(limit);
            if (most is < 1) throw new UsageException($"--limit must be at least 1, got {most}");
            using var client = connection.Connect(parse);
            var runs = new List<RunProgress>();
            await foreach (var run in client.ListRunsAsync(filter, pageSize: Math.Min(most ?? 100, 100), cancellationToken))
            {
                runs.Add(run);
                if (runs.Count == most) break;
            }
            if (connection.Json(parse)) ToolJson.WriteDocument(context.Out, new { Runs = runs.Select(ToolJson.Run) });
            else if (runs.Count == 0) context.Out.WriteLine("no runs");
            else foreach (var run in runs) context.Out.WriteLine(TextLines.Run(run));
            return ExitCodes.Ok;
        });
        return command;
    }
}
