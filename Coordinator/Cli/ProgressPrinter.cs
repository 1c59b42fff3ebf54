using MetaCluster.ServiceDefaults.Options;
using System.Globalization;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Abstractions;

namespace MetaCluster.Coordinator.Cli;

/// <summary>
/// Shows a run's progress: a live bar (<see cref="LiveProgressBar"/>) on a terminal; on redirected
/// output (CI logs, files) a plain line every tenth of the run or every 15 seconds.
/// </summary>
public sealed class ProgressPrinter(TextWriter output, bool interactive)
{
    private readonly LiveProgressBar? bar = interactive ? new LiveProgressBar() : null;
    private long lastPrintedStep = -1;
    private DateTime lastPrintedAt = DateTime.MinValue;

    /// <summary>Shows a status, if it is worth showing.</summary>
    public void Show(RunStatus status)
    {
        if (bar is not null)
        {
            bar.Show(status);
            return;
        }
        if (status.State == RunState.Pending || (status.State == RunState.Training && status.Step == 0)) return;
        string line = Format(status);
        long tenth = Math.Max(1, status.MetaSteps / 10);
        bool due = status.Step != lastPrintedStep
            && (status.Step / tenth != lastPrintedStep / tenth || DateTime.UtcNow - lastPrintedAt > TimeSpan.FromSeconds(15) || status.Step == status.MetaSteps);
        if (!due && status.State != RunState.Evaluating) return;
        if (status.State == RunState.Evaluating && lastPrintedStep == status.MetaSteps + 1) return;
        output.WriteLine(line);
        lastPrintedStep = status.State == RunState.Evaluating ? status.MetaSteps + 1 : status.Step;
        lastPrintedAt = DateTime.UtcNow;
    }

    /// <summary>Stops the live bar, leaving its last state on screen.</summary>
    public void Finish() => bar?.Dispose();

    /// <summary>The progress line for a status.</summary>
    public static string Format(RunStatus s)
    {
        var c = CultureInfo.InvariantCulture;
        if (s.State == RunState.Evaluating) return s.EvalTasks > 0 ? string.Create(c, $"evaluating on {s.EvalTasks} held-out tasks…") : "evaluating on held-out tasks…";
        string eta = double.IsFinite(s.EtaSeconds) ? TimeSpan.FromSeconds(Math.Round(s.EtaSeconds)).ToString(@"h\:mm\:ss", c) : "–";
        string loss = double.IsFinite(s.Loss) ? s.Loss.ToString("0.0000", c) : "–";
        return string.Create(c, $"step {s.Step}/{s.MetaSteps}  loss {loss}  {s.TasksPerSecond:0} tasks/s  workers {s.Workers}  ETA {eta}");
    }
}
