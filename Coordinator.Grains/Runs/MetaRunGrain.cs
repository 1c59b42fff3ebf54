using MetaCluster.Abstractions;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// Thin grain in front of <see cref="LiveRuns"/>, which holds the run itself: a second activation
/// of this grain (see there) answers for the same run.
/// </summary>
public sealed class MetaRunGrain(LiveRuns runs) : Grain, IMetaRunGrain
{
    /// <inheritdoc/>
    public Task<RunStatus> StartAsync(RunDefinition definition)
    {
        DelayDeactivation(TimeSpan.FromDays(3650));
        return Task.FromResult(runs.Start(this.GetPrimaryKeyString(), definition));
    }

    /// <inheritdoc/>
    public Task<RunStatus> GetStatusAsync() =>
        Task.FromResult(runs.Status(this.GetPrimaryKeyString()) ?? new RunStatus { RunId = this.GetPrimaryKeyString(), State = RunState.Pending });

    /// <inheritdoc/>
    public Task StopAsync()
    {
        runs.Stop(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }
}
