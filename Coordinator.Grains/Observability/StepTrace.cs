using System.Diagnostics;
using MetaCluster.ServiceDefaults.Telemetry;
using static MetaCluster.ServiceDefaults.Telemetry.ClusterTelemetry;

namespace MetaCluster.Coordinator.Observability;

/// <summary>
/// The trace of one meta-step. Each step is its own trace (a run of thousands of steps would make
/// one unreadable trace), rooted at a <c>meta-step</c> span linked to the run's span and tagged
/// with the run id. <see cref="EndPhase"/> closes a phase (fan-out, aggregation, update) as a child
/// span and records its duration in <c>metacluster.step.duration</c>.
/// </summary>
public sealed class StepTrace : IDisposable
{
    private readonly string runId;
    private readonly Activity? run;
    private readonly Activity? step;
    private readonly StepPhaseTotals? totals;
    private DateTimeOffset phaseStart = DateTimeOffset.UtcNow;

    private StepTrace(string runId, Activity? run, Activity? step, StepPhaseTotals? totals)
    {
        this.runId = runId;
        this.run = run;
        this.step = step;
        this.totals = totals;
    }

    /// <summary>Starts the span of a whole run (its own trace), current until disposed.</summary>
    public static Activity? StartRun(string runId, string task, string algorithm, int metaSteps, int metaBatch) =>
        CoordinatorSource.StartActivity("run", ActivityKind.Internal, default(ActivityContext),
            [new(Attributes.RunId, runId), new("metacluster.task", task), new("metacluster.algorithm", algorithm),
             new("metacluster.meta_steps", metaSteps), new("metacluster.meta_batch", metaBatch)]);

    /// <summary>
    /// Starts meta-step <paramref name="step"/> as the root of a new trace, linked to <paramref name="run"/>;
    /// phase durations are also added to <paramref name="totals"/> when given.
    /// </summary>
    public static StepTrace Start(Activity? run, string runId, long step, int tasks, StepPhaseTotals? totals = null)
    {
        // A null parent context would fall back to Activity.Current (the run); clearing it makes the step a root.
        Activity.Current = null;
        var span = CoordinatorSource.StartActivity("meta-step", ActivityKind.Internal, default(ActivityContext),
            [new(Attributes.RunId, runId), new(Attributes.Step, step), new(Attributes.Tasks, tasks)],
            run is null ? null : [new ActivityLink(run.Context)]);
        return new StepTrace(runId, run, span, totals);
    }

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
        // Back to the run's span, so later work (evaluation) is part of the run's trace.
        Activity.Current = run;
    }
}
