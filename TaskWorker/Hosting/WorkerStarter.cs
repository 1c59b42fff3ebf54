using MetaCluster.TaskWorker.Contracts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace MetaCluster.TaskWorker.Hosting;

/// <summary>
/// Once the silo runs, sets libtorch's thread count and activates this process's worker grains
/// (locally, through <see cref="Orleans.Placement.PreferLocalPlacementAttribute"/>), which
/// register themselves with the cluster's worker registry.
/// </summary>
public sealed class WorkerStarter(IGrainFactory grains, IOptions<WorkerOptions> options) : IHostedService
{
    /// <summary>Ids of the workers this process started.</summary>
    public IReadOnlyList<string> WorkerIds { get; private set; } = [];

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        int threads = o.Threads > 0 ? o.Threads : Math.Max(1, Environment.ProcessorCount / Math.Max(1, o.Workers));
        torch.set_num_threads(threads);
        WorkerIds = Enumerable.Range(0, o.Workers).Select(i => $"{o.WorkerIdPrefix}/{o.Device}/{i}").ToArray();
        foreach (var id in WorkerIds)
            await grains.GetGrain<ITaskWorkerGrain>(id).StartAsync(o.Device);
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var registry = grains.GetGrain<IWorkerRegistryGrain>(0);
        foreach (var id in WorkerIds)
        {
            try { await registry.UnregisterAsync(id).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken); }
            catch (Exception)
            {
                // The registry may already be gone when the whole cluster stops; membership drops us anyway.
            }
        }
    }
}
