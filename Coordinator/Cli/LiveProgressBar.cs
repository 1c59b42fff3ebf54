using System.Globalization;
using MetaCluster.Coordinator.Runs;
using Spectre.Console;
using MetaCluster.Abstractions;

namespace MetaCluster.Coordinator.Cli;

/// <summary>
/// A run's progress on a terminal: a Spectre.Console bar (step, ETA, loss, tasks/s, workers)
/// redrawn in the background while <see cref="Show"/> feeds it statuses.
/// </summary>
public sealed class LiveProgressBar : IDisposable
{
    private readonly TaskCompletionSource finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<ProgressTask> started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task rendering;

    /// <summary>Starts drawing on the console.</summary>
    public LiveProgressBar()
    {
        rendering = AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("starting the cluster…", maxValue: 1);
                started.SetResult(task);
                await finished.Task;
                task.StopTask();
                context.Refresh();
            });
    }

    /// <summary>Shows a status.</summary>
    public void Show(RunStatus status)
    {
        if (!started.Task.IsCompleted) return;
        var task = started.Task.Result;
        task.MaxValue = Math.Max(1, status.MetaSteps);
        task.Value = Math.Min(status.Step, status.MetaSteps);
        task.Description = Markup.Escape(Describe(status));
    }

    /// <summary>The bar's label: the same figures as the plain progress line.</summary>
    public static string Describe(RunStatus s)
    {
        if (s.State == RunState.Pending || (s.State == RunState.Training && s.Step == 0)) return "waiting for the first meta-step…";
        return ProgressPrinter.Format(s);
    }

    /// <summary>Stops drawing, leaving the last state on screen.</summary>
    public void Dispose()
    {
        finished.TrySetResult();
        rendering.GetAwaiter().GetResult();
    }
}
