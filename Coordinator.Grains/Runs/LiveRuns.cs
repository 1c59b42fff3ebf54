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
    // Lazy: two activations starting the same run at once create and start it once.
    private readonly ConcurrentDictionary<string, Lazy<LiveRun>> runs = new(StringComparer.Ordinal);

    /// <summary>Starts the run unless this process already has it; either way returns its status.</summary>
    public RunStatus Start(string runId, RunDefinition definition) =>
        runs.GetOrAdd(runId, id => new Lazy<LiveRun>(() => LiveRun.Start(ActivatorUtilities.CreateInstance<MetaTrainingRun>(services, id, definition))))
            .Value.Run.Status;

    /// <summary>The run's live status, or null when this process has not started it.</summary>
    public RunStatus? Status(string runId) => runs.TryGetValue(runId, out var live) ? live.Value.Run.Status : null;

    /// <summary>Asks the run to stop, if this process trains it.</summary>
    public void Stop(string runId)
    {
        if (runs.TryGetValue(runId, out var live)) live.Value.Stop.Cancel();
    }

    private sealed record LiveRun(MetaTrainingRun Run, CancellationTokenSource Stop)
    {
        // The loop runs off the Orleans scheduler, so status calls are answered at once while it trains.
        public static LiveRun Start(MetaTrainingRun run)
        {
            var live = new LiveRun(run, new CancellationTokenSource());
            _ = Task.Run(() => run.RunAsync(live.Stop.Token));
            return live;
        }
    }
}
