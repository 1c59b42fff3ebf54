using System.CommandLine;
using MetaCluster.Tool.Cli;
using MetaCluster.Tool.Output;

namespace MetaCluster.Tool.Verbs;

/// <summary><c>submit [run options] [--name N] [--tag K=V]… [--request-id ID] [--wait]</c>: starts a run, prints its id.</summary>
public static class SubmitCommand
{
    /// <summary>The verb.</summary>
    public static Command Create(ConnectionOptions connection, ToolContext context)
    {
        var command = new Command("submit", "Start a meta-training run from Coordinator train's options; prints its id");
        var definition = new RunDefinitionOptions();
        definition.AddTo(command);
        var name = new Option<string?>("--name") { Description = "A name for the run (at most 200 characters)", HelpName = "NAME" };
        var tags = new TagOptions("A tag to find the run by (repeatable)").AddTo(command);
        var requestId = new Option<string?>("--request-id")
        {
            Description = "An id for this request: submitting the same id again returns the run it started [a new GUID]", HelpName = "ID",
        };
        var wait = new Option<bool>("--wait") { Description = "Then watch the run to its end (exit 1 when it failed)" };
        command.Add(name);
        command.Add(requestId);
        command.Add(wait);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = definition.Read(parse);
            var tagMap = tags.Read(parse);
            bool json = connection.Json(parse), follow = parse.GetValue(wait);
            using var client = connection.Connect(parse);
            var run = await client.SubmitAsync(options, parse.GetValue(name), tagMap, parse.GetValue(requestId), cancellationToken);
            if (!json) context.Out.WriteLine(run.RunId);
            else if (follow) ToolJson.WriteLine(context.Out, new { Type = "submitted", run.RunId, run.Created });
            else ToolJson.WriteDocument(context.Out, new { run.RunId, run.Created });
            return follow ? await WatchCommand.FollowAsync(client, run.RunId, json, null, context, cancellationToken) : ExitCodes.Ok;
        });
        return command;
    }
}
