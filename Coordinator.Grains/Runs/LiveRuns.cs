using System.Collections.Concurrent;
using MetaCluster.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// The runs this coordinator process trains, by id. A run lives here rather than in its grain
/// activation because Orleans may activate the grain a second time: when a silo holding part of
/// the grain directory dies (workers are silos too) or Redis, the membership store, comes back
/// empty, the directory can forget the activation. A second activation on this silo then finds the
/// same run instead of a fresh "Pending" one, and the run in flight keeps answering for itself.
/// </summary>
public sealed class LiveRuns(IServiceProvider services)
{
    private readonly ConcurrentDictionary<string, LiveRun> runs = new(StringComparer.Ordinal);

    /// <summary>Starts the run unless this process already has it; either way returns its status.</summary>
    public RunStatus Start(string runId, RunDefinition definition)
    {
        var live = runs.GetOrAdd(runId, id => new LiveRun(ActivatorUtilities.CreateInstance<MetaTrainingRun>(services, id, definition)));
        live.EnsureStarted();
        return live.Run.Status;
    }

    /// <summary>The run's live status, or null when this process has not started it.</summary>
    public RunStatus? Status(string runId) => runs.TryGetValue(runId, out var live) ? live.Run.Status : null;

    /// <summary>Asks the run to stop, if this process trains it.</summary>
    public void Stop(string runId)
    {
        if (runs.TryGetValue(runId, out var live)) live.Stop();
    }

    private sealed class LiveRun(MetaTrainingRun run)
    {
        private readonly CancellationTokenSource stop = new();
        private int started;

        public MetaTrainingRun Run { get; } = run;

        // The loop runs off the Orleans scheduler, so status calls are answered at once while it trains.
        public void EnsureStarted()
        {
            if (Interlocked.Exchange(ref started, 1) == 0) _ = Task.Run(() => Run.RunAsync(stop.Token));
        }

        public void Stop() => stop.Cancel();
    }
}
