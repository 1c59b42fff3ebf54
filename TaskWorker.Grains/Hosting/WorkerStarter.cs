using MetaCluster.Abstractions;
using MetaCluster.TaskWorker.Execution;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace MetaCluster.TaskWorker.Hosting;

/// <summary>
/// Once the silo runs, sets libtorch's thread count and activates this process's worker grains
/// (locally, through <see cref="Orleans.Placement.PreferLocalPlacementAttribute"/>), which
/// register themselves with the cluster's worker registry.
/// </summary>
public sealed partial class WorkerStarter(IGrainFactory grains, IWorkRunner runner, IOptions<WorkerOptions> options, ILogger<WorkerStarter> logger) : IHostedService
{
    private readonly CancellationTokenSource stopping = new();
    private Task? heartbeat;
    private long announcedTicks;

    /// <summary>How long an announcement counts as current for <see cref="Problem"/>: a few heartbeats.</summary>
    public static readonly TimeSpan AnnouncementLifetime = TimeSpan.FromSeconds(15);

    /// <summary>Ids of the workers this process started.</summary>
    public IReadOnlyList<string> WorkerIds { get; private set; } = [];

    /// <summary>Why the last announcement failed (the registry refused or did not answer), or null after a success.</summary>
    public string? LastError { get; private set; }

    /// <summary>
    /// Null while every worker was announced to the registry within <see cref="AnnouncementLifetime"/>;
    /// otherwise why not, for the process's health endpoint.
    /// </summary>
    public string? Problem
    {
        get
        {
            long ticks = Interlocked.Read(ref announcedTicks);
            if (ticks != 0 && DateTime.UtcNow - new DateTime(ticks, DateTimeKind.Utc) < AnnouncementLifetime) return null;
            return LastError is { } error ? $"not registered with the coordinator: {error}" : "not registered with the coordinator yet";
        }
    }

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        int threads = o.Threads > 0 ? o.Threads : Math.Max(1, Environment.ProcessorCount / Math.Max(1, o.Workers));
        torch.set_num_threads(threads);
        WorkerIds = Enumerable.Range(0, o.Workers).Select(i => $"{o.WorkerIdPrefix}/{o.DeviceOf(i)}/{i}").ToArray();
        // A silo that joined a moment ago may not know the coordinator's grain types yet (the
        // registration then throws): the heartbeat announces the workers again within seconds, so a
        // failed first announcement must not stop the host.
        try
        {
            await AnnounceAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Failed(e);
        }
        heartbeat = Task.Run(() => HeartbeatAsync(stopping.Token), CancellationToken.None);
    }

    // The registry lives on the coordinator; when the coordinator restarts it starts empty, so
    // workers announce themselves again every few seconds.
    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
                await AnnounceAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Failed(e);
            }
        }
    }

    private async Task AnnounceAsync(CancellationToken cancellationToken)
    {
        foreach (var id in WorkerIds)
            await grains.GetGrain<ITaskWorkerGrain>(id).StartAsync(options.Value.DeviceOf(id)).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        Interlocked.Exchange(ref announcedTicks, DateTime.UtcNow.Ticks);
        LastError = null;
    }

    // Said once per distinct reason: a refused worker would otherwise log every 2 s.
    private void Failed(Exception e)
    {
        if (e.Message != LastError) LogHeartbeatFailed(e.Message);
        LastError = e.Message;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not announce workers to the registry: {Reason}")]
    private partial void LogHeartbeatFailed(string reason);

    /// <summary>
    /// Leaves gracefully: first unregisters (no new shards come), then lets shards in flight
    /// finish and deliver, so a SIGTERM loses no step. A shard still running when the host's
    /// shutdown timeout ends is abandoned; the coordinator reassigns it.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        if (heartbeat is not null) await heartbeat;
        var registry = grains.GetGrain<IWorkerRegistryGrain>(0);
        foreach (var id in WorkerIds)
        {
            try { await registry.UnregisterAsync(id).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken); }
            catch (Exception)
            {
                // The registry may already be gone when the whole cluster stops; membership drops us anyway.
            }
        }
        while (runner.InFlight > 0 && !cancellationToken.IsCancellationRequested)
            await Task.Delay(50, CancellationToken.None);
    }
}
