using MetaCluster.ServiceDefaults.Telemetry;

namespace MetaCluster.Coordinator.Observability;

/// <summary>
/// Where a run's meta-steps spent their time: the summed duration of each phase
/// (<see cref="RunMetrics.Phases"/>) over the steps of the run, reported
/// in summary.json as the mean milliseconds per step. It is what the per-step histogram says, kept
/// with the run so a run directory answers "where does the time go" without a metrics backend.
/// </summary>
public sealed class StepPhaseTotals
{
    private readonly Dictionary<string, double> seconds = new(StringComparer.Ordinal);
    private long steps;

    /// <summary>Adds <paramref name="elapsed"/> to <paramref name="phase"/>'s total.</summary>
    public void Add(string phase, TimeSpan elapsed)
    {
        lock (seconds) seconds[phase] = seconds.GetValueOrDefault(phase) + elapsed.TotalSeconds;
    }

    /// <summary>Counts a finished step.</summary>
    public void StepFinished() => Interlocked.Increment(ref steps);

    /// <summary>Mean milliseconds per finished step of each phase, in the order the phases were first seen; null before the first step.</summary>
    public IReadOnlyDictionary<string, double>? MeanMillisecondsPerStep()
    {
        long n = Interlocked.Read(ref steps);
        if (n == 0) return null;
        lock (seconds) return seconds.ToDictionary(p => p.Key, p => Math.Round(p.Value * 1000 / n, 3));
    }
}
