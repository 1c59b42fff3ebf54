using System.CommandLine;
using MetaCluster.Tool.Cli;
using MetaCluster.Tool.Output;

namespace MetaCluster.Tool.Verbs;

/// <summary><c>stop RUN</c>: asks a run to stop.</summary>
public static class StopCommand
{
    /// <summary>The verb.</summary>
    public static Command Create(ConnectionOptions connection, ToolContext context)
    {
        var command = new Command("stop", "Ask a run to stop (it ends as stopped)");
        var run = new RunIdInput().AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            string runId = run.Read(parse);
            using var client = connection.Connect(parse);
            await client.StopAsync(runId, cancellationToken);
            if (connection.Json(parse)) ToolJson.WriteDocument(context.Out, new { RunId = runId, StopRequested = true });
            else context.Out.WriteLine($"asked run {runId} to stop");
            return ExitCodes.Ok;
        });
        return command;
    }
}
