using Microsoft.Extensions.DependencyInjection;
using MetaCluster.Abstractions;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// Thin grain around a <see cref="MetaTrainingRun"/>. The run's loop runs off the Orleans
/// scheduler, so status calls are answered at once while it trains.
/// </summary>
public sealed class MetaRunGrain(IServiceProvider services) : Grain, IMetaRunGrain
{
    private MetaTrainingRun? run;
    private readonly CancellationTokenSource stop = new();

    /// <inheritdoc/>
    public Task<RunStatus> StartAsync(RunDefinition definition)
    {
        if (run is null)
        {
            DelayDeactivation(TimeSpan.FromDays(3650));
            run = ActivatorUtilities.CreateInstance<MetaTrainingRun>(services, this.GetPrimaryKeyString(), definition);
            _ = Task.Run(() => run.RunAsync(stop.Token));
        }
        return Task.FromResult(run.Status);
    }

    /// <inheritdoc/>
    public Task<RunStatus> GetStatusAsync() =>
        Task.FromResult(run?.Status ?? new RunStatus { RunId = this.GetPrimaryKeyString(), State = RunState.Pending });

    /// <inheritdoc/>
    public Task StopAsync()
    {
        stop.Cancel();
        return Task.CompletedTask;
    }
}
