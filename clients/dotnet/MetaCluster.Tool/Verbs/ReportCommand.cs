using System.CommandLine;
using System.Globalization;
using MetaCluster.Client;
using MetaCluster.Tool.Cli;
using MetaCluster.Tool.Output;

namespace MetaCluster.Tool.Verbs;

/// <summary>
/// <c>report RUN</c>: a short report from the coordinator's record of the run (state, steps, tasks/s,
/// final figures); no plots (<c>Coordinator report --run DIR</c> draws them from a downloaded directory).
/// Exit 1 for a failed run.
/// </summary>
public static class ReportCommand
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>The verb.</summary>
    public static Command Create(ConnectionOptions connection, ToolContext context)
    {
        var command = new Command("report", "Print a short report of a run: state, steps, tasks/s, final figures (exit 1 when it failed)");
        var run = new RunIdInput().AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            string runId = run.Read(parse);
            using var client = connection.Connect(parse);
            var info = await client.GetRunAsync(runId, cancellationToken);
            if (connection.Json(parse)) ToolJson.WriteDocument(context.Out, Document(info));
            else foreach (string line in Lines(info)) context.Out.WriteLine(line);
            return info.Progress.State == RunState.Failed ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return command;
    }

    private static object Document(RunInfo info) => new
    {
        info.RunId, info.Name, State = info.Progress.State.ToDisplayName(), info.Progress.Step, info.Progress.MetaSteps,
        info.Progress.TasksPerSecond, Loss = ToolJson.Finite(info.Progress.Loss), info.Created, info.Tags, info.Error,
        Task = info.Options?.Task, Algorithm = info.Options?.Algorithm, Summary = ToolJson.Parse(info.SummaryJson),
    };

    private static IEnumerable<string> Lines(RunInfo info)
    {
        var p = info.Progress;
        string title = string.IsNullOrEmpty(info.Name) ? info.RunId : $"{info.RunId} ({info.Name})";
        yield return $"run {title}: {p.State.ToDisplayName()}";
        if (info.Options is { } o) yield return $"  {o.Task} with {o.Algorithm}{(o.TrLambda is > 0 ? string.Create(C, $" + TRLearner λ={o.TrLambda}") : "")}";
        if (info.Created is { } created) yield return $"  started {created.ToString("u", C)}";
        if (info.Tags.Count > 0) yield return "  tags " + string.Join(", ", info.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"));
        yield return string.Create(C, $"  steps {p.Step}/{p.MetaSteps}, {p.Workers} worker(s)");
        if (info.Summary is { } s)
        {
            foreach (string line in TextLines.Summary(s)) yield return "  " + line;
        }
        else if (!p.State.IsFinished())
        {
            yield return string.Create(C, $"  loss {p.Loss:0.0000}, {p.TasksPerSecond:0} tasks/s, {p.Elapsed:h\\:mm\\:ss} elapsed, ETA {p.Eta:h\\:mm\\:ss}");
        }
        if (!string.IsNullOrEmpty(info.Error)) yield return "  error: " + info.Error.ReplaceLineEndings(" ");
    }
}
