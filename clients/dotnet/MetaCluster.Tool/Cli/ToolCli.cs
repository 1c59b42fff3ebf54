using System.CommandLine;
using Grpc.Core;
using MetaCluster.Client;
using MetaCluster.Tool.Verbs;

namespace MetaCluster.Tool.Cli;

/// <summary>
/// The <c>metacluster</c> command: its verbs, and one rule for every failure: one line on standard
/// error, exit 2 for bad input (the tool's own or the coordinator's INVALID_ARGUMENT, NOT_FOUND,
/// credentials), exit 1 for a run that did not complete or a coordinator that could not serve.
/// </summary>
public static class ToolCli
{
    /// <summary>Parses <paramref name="args"/>, runs the verb, returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, ToolContext context, CancellationToken cancellationToken = default)
    {
        var root = Build(context);
        var parse = root.Parse(args);
        // --help and --version answer even next to other mistakes; anything else that did not parse is one line.
        if (parse.Errors.Count > 0 && parse.Action is not { ClearsParseErrors: true })
            return Fail(context, ExitCodes.Usage, parse.Errors[0].Message);
        try
        {
            var invocation = new InvocationConfiguration
            {
                Output = context.Out, Error = context.Error, EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = TimeSpan.FromSeconds(2),
            };
            return await parse.InvokeAsync(invocation, cancellationToken);
        }
        catch (UsageException e)
        {
            return Fail(context, ExitCodes.Usage, e.Message);
        }
        catch (MetaClusterException e)
        {
            bool usersFault = e.IsUserError || e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied;
            return Fail(context, usersFault ? ExitCodes.Usage : ExitCodes.Failed, e.Message);
        }
        catch (OperationCanceledException)
        {
            return Fail(context, ExitCodes.Interrupted, "interrupted");
        }
    }

    /// <summary>The command tree.</summary>
    public static RootCommand Build(ToolContext context)
    {
        var connection = new ConnectionOptions(context.Environment);
        var root = new RootCommand("metacluster: submit, watch, list, stop, download and report on meta-training runs of a MetaCluster coordinator");
        connection.AddTo(root);
        root.SetAction(int (ParseResult _) => throw new UsageException("a verb is required: submit, watch, runs, stop, workers, download or report (see --help)"));
        root.Add(SubmitCommand.Create(connection, context));
        root.Add(WatchCommand.Create(connection, context));
        root.Add(RunsCommand.Create(connection, context));
        root.Add(StopCommand.Create(connection, context));
        root.Add(WorkersCommand.Create(connection, context));
        root.Add(DownloadCommand.Create(connection, context));
        root.Add(ReportCommand.Create(connection, context));
        return root;
    }

    private static int Fail(ToolContext context, int code, string message)
    {
        // One line, whatever the message held.
        context.Error.WriteLine("error: " + string.Join(' ', message.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
        return code;
    }
}
