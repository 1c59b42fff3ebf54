using System.Diagnostics;
using MetaCluster.ServiceDefaults.Telemetry;
using static MetaCluster.ServiceDefaults.Telemetry.ClusterTelemetry;

namespace MetaCluster.Coordinator.Observability;

/// <summary>
/// The trace of one meta-step. Each step is its own trace (a run of thousands of steps would make
/// one unreadable trace), rooted at a <c>meta-step</c> span linked to the run's short <c>run</c> span
/// (which marks the run's start, so a backend has it at once instead of when the run ends) and
/// tagged with the run id. The root is where the sampler decides: workers follow its decision. <see cref="EndPhase"/> closes a phase (fan-out, aggregation, update) as a child
/// span and records its duration in <c>metacluster.step.duration</c>.
/// </summary>
public sealed class StepTrace : IDisposable
{
    private readonly string runId;
    private readonly Activity? previous;
    private readonly Activity? step;
    private readonly StepPhaseTotals? totals;
    private DateTimeOffset phaseStart = DateTimeOffset.UtcNow;

    private StepTrace(string runId, Activity? previous, Activity? step, StepPhaseTotals? totals)
    {
        this.runId = runId;
        this.previous = previous;
        this.step = step;
        this.totals = totals;
    }

    /// <summary>
    /// Starts the <c>run</c> span (its own trace): end it as soon as the run's start is recorded (logged);
    /// steps and the evaluation link to its context.
    /// </summary>
    public static Activity? StartRun(string runId, string task, string algorithm, int metaSteps, int metaBatch) =>
        CoordinatorSource.StartActivity("run", ActivityKind.Internal, default(ActivityContext),
            [new(Attributes.RunId, runId), new("metacluster.task", task), new("metacluster.algorithm", algorithm),
             new("metacluster.meta_steps", metaSteps), new("metacluster.meta_batch", metaBatch)]);

    /// <summary>
    /// Starts meta-step <paramref name="step"/> as the root of a new trace, linked to the run's span
    /// <paramref name="run"/> (default: none); phase durations are also added to <paramref name="totals"/> when given.
    /// </summary>
    public static StepTrace Start(ActivityContext run, string runId, long step, int tasks, StepPhaseTotals? totals = null)
    {
        var previous = Activity.Current;
        // A default parent context would fall back to Activity.Current; clearing it makes the step a root.
        Activity.Current = null;
        var span = CoordinatorSource.StartActivity("meta-step", ActivityKind.Internal, default(ActivityContext),
            [new(Attributes.RunId, runId), new(Attributes.Step, step), new(Attributes.Tasks, tasks)], Links(run));
        return new StepTrace(runId, previous, span, totals);
    }

    /// <summary>Starts the run's <c>evaluate</c> span, a trace of its own linked to the run's span.</summary>
    public static Activity? StartEvaluation(ActivityContext run, string runId)
    {
        var previous = Activity.Current;
        Activity.Current = null;
        var span = CoordinatorSource.StartActivity("evaluate", ActivityKind.Internal, default(ActivityContext), [new(Attributes.RunId, runId)], Links(run));
        if (span is null) Activity.Current = previous;
        return span;
    }

    private static ActivityLink[]? Links(ActivityContext run) => run == default ? null : [new ActivityLink(run)];

    /// <summary>Adds time spent inside a phase (the slowest shard's compute within fan-out) to the run's totals only.</summary>
    public void AddToTotals(string phase, TimeSpan elapsed) => totals?.Add(phase, elapsed);

    /// <summary>The step's span, for attributes known only at its end.</summary>
    public Activity? Span => step;

    /// <summary>Ends the phase that began at the previous mark (or the start) as a child span, and records its duration.</summary>
    public void EndPhase(string phase)
    {
        var now = DateTimeOffset.UtcNow;
        RunMetrics.RecordStepPhase(runId, phase, now - phaseStart);
        totals?.Add(phase, now - phaseStart);
        if (step is not null)
        {
            var current = Activity.Current;
            using (var span = CoordinatorSource.StartActivity(phase.Replace('_', '-'), ActivityKind.Internal, step.Context,
                [new(Attributes.RunId, runId), new(Attributes.Step, step.GetTagItem(Attributes.Step))], startTime: phaseStart))
                span?.SetEndTime(now.UtcDateTime);
            Activity.Current = current;
        }
        phaseStart = now;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        step?.Dispose();
        Activity.Current = previous;
    }
}
