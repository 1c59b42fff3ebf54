using System.Globalization;
using MetaCluster.Client;

namespace MetaCluster.Tool.Output;

/// <summary><c>--output text</c>: the lines people read, in the wording of <c>Coordinator train</c>.</summary>
public static class TextLines
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>One line of progress.</summary>
    public static string Progress(RunProgress p) => p.State switch
    {
        RunState.Pending => $"{p.RunId}: pending (waiting for its first step)",
        RunState.Training when p.Step == 0 => $"{p.RunId}: starting",
        RunState.Evaluating => string.Create(C, $"{p.RunId}: evaluating (trained {p.Step}/{p.MetaSteps} steps)"),
        _ => string.Create(C,
            $"step {p.Step}/{p.MetaSteps}  loss {p.Loss:0.0000}  {p.TasksPerSecond:0} tasks/s  workers {p.Workers}  ETA {p.Eta:h\\:mm\\:ss}"),
    };

    /// <summary>One line of a run listing.</summary>
    public static string Run(RunProgress p) =>
        string.Create(C, $"{p.RunId}  {p.State.ToDisplayName(),-10}  step {p.Step}/{p.MetaSteps}  loss {p.Loss:0.0000}  {p.Name}").TrimEnd();

    /// <summary>A completed run's headline figures.</summary>
    public static IEnumerable<string> Summary(RunSummary s)
    {
        yield return string.Create(C, $"trained in {s.TrainSeconds:0.0} s: {s.TasksPerSecond:0} tasks/s, final train loss {s.FinalTrainLoss:0.0000}");
        if (s.Eval is { } eval)
        {
            yield return string.Create(C, $"evaluation on {eval.Episodes} held-out tasks ({eval.Metric}, mean ± 95% CI):");
            foreach (var p in eval.Results)
                yield return string.Create(C, $"  after {p.InnerSteps,3} inner step(s): {p.Mean:0.0000} ± {p.Ci95:0.0000}");
        }
    }

    /// <summary>How a run ended, when it did not complete.</summary>
    public static string Ended(RunResult r) =>
        $"run {r.RunId} {r.State.ToDisplayName()}" + (string.IsNullOrEmpty(r.Error) ? "" : $": {r.Error.ReplaceLineEndings(" ")}");
}
