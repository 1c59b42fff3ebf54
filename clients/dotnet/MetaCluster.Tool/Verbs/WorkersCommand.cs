using System.CommandLine;
using MetaCluster.Tool.Cli;
using MetaCluster.Tool.Output;

namespace MetaCluster.Tool.Verbs;

/// <summary><c>workers</c>: the cluster's live workers.</summary>
public static class WorkersCommand
{
    /// <summary>The verb.</summary>
    public static Command Create(ConnectionOptions connection, ToolContext context)
    {
        var command = new Command("workers", "List the cluster's live workers");
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = connection.Connect(parse);
            var workers = await client.ListWorkersAsync(cancellationToken);
            if (connection.Json(parse)) ToolJson.WriteDocument(context.Out, new { Workers = workers });
            else if (workers.Count == 0) context.Out.WriteLine("no workers");
            else foreach (var w in workers) context.Out.WriteLine($"{w.WorkerId}  {w.Device}  {w.Silo}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
