using System.CommandLine;
using MetaCluster.Client;
using MetaCluster.Tool.Cli;
using MetaCluster.Tool.Output;

namespace MetaCluster.Tool.Verbs;

/// <summary><c>watch RUN [--out DIR]</c>: streams a run's progress until it ends; exit 0 only when it completed.</summary>
public static class WatchCommand
{
    /// <summary>The verb.</summary>
    public static Command Create(ConnectionOptions connection, ToolContext context)
    {
        var command = new Command("watch", "Stream a run's progress until it ends, then its result (exit 1 when it failed or was stopped)");
        var run = new RunIdInput().AddTo(command);
        var output = new Option<string?>("--out") { Description = "Download the run's directory here when it has ended", HelpName = "DIR" };
        command.Add(output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            string runId = run.Read(parse);
            using var client = connection.Connect(parse);
            return await FollowAsync(client, runId, connection.Json(parse), parse.GetValue(output), context, cancellationToken);
        });
        return command;
    }

    /// <summary>
    /// Follows a run to its end: text lines (or JSON lines: <c>"type": "progress"</c>, then one
    /// <c>"type": "result"</c>), the directory downloaded if asked; returns the exit code.
    /// </summary>
    public static async Task<int> FollowAsync(MetaClusterClient client, string runId, bool json, string? downloadTo, ToolContext context,
        CancellationToken cancellationToken)
    {
        var live = LiveLine.For(context.Out);
        RunResult? result = null;
        await foreach (var update in client.WatchAsync(runId, cancellationToken))
        {
            switch (update)
            {
                case RunProgressed p when json:
                    ToolJson.WriteLine(context.Out, ToolJson.ProgressEvent(p.Progress));
                    break;
                case RunProgressed p:
                    live.Show(TextLines.Progress(p.Progress));
                    break;
                case RunEnded e:
                    result = e.Result;
                    break;
            }
        }
        live.Finish();
        if (result is null) throw new MetaClusterException(Grpc.Core.StatusCode.DataLoss, $"the watch of run {runId} ended without its result");
        if (downloadTo is not null) await client.DownloadAsync(runId, downloadTo, cancellationToken);
        if (json) ToolJson.WriteLine(context.Out, ToolJson.ResultEvent(result));
        else if (result.Summary is { } summary)
        {
            foreach (string line in TextLines.Summary(summary)) context.Out.WriteLine(line);
        }
        if (!json && downloadTo is not null) context.Out.WriteLine($"run directory: {Path.GetFullPath(downloadTo)}");
        if (result.Succeeded) return ExitCodes.Ok;
        context.Error.WriteLine("error: " + TextLines.Ended(result));
        return ExitCodes.Failed;
    }
}
