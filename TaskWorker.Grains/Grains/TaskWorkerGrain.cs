using MetaCluster.Abstractions;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.TaskWorker.Execution;
using MetaCluster.TaskWorker.Relay;
using Orleans.Placement;
using MetaCluster.DataPlane.Security;
using MetaCluster.TaskWorker.Hosting;
using Microsoft.Extensions.Options;

namespace MetaCluster.TaskWorker.Grains;

/// <summary>
/// Thin grain over <see cref="IWorkRunner"/> and the process's relay. Placed on the silo that
/// activates it (each worker process activates its own workers), and the heavy compute runs off
/// the Orleans scheduler. It lives only in its own process: a call for it after its process was
/// declared dead would otherwise activate it in another worker process, a ghost that the registry
/// lists under the dead process's name.
/// </summary>
[PreferLocalPlacement]
public sealed class TaskWorkerGrain(IWorkRunner runner, ILocalSiloDetails silo, RelaySessions relays, RelayParameters relayParameters, RelayEndpoint relay,
    IOptions<WorkerOptions> options)
    : Grain, ITaskWorkerGrain
{
    private string WorkerId => this.GetPrimaryKeyString();

    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Worker ids are PREFIX/DEVICE/N with a prefix unique to the process that starts them.
        string prefix = options.Value.WorkerIdPrefix + "/";
        if (!WorkerId.StartsWith(prefix, StringComparison.Ordinal))
            throw new InvalidOperationException($"worker {WorkerId} belongs to another process (this one hosts {prefix}*): it is not activated here");
        return base.OnActivateAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<ShardReceipt> RunAsync(EncodedShardRequest request)
    {
        var decoded = request.Decode();
        return await Task.Run(() => runner.RunAsync(WorkerId, decoded, CancellationToken.None));
    }

    /// <inheritdoc/>
    public Task<string> OpenRelayAsync(byte[] plan)
    {
        string url = relay.Url ?? throw new InvalidOperationException($"worker {WorkerId} runs no reduction relay (--relay-port -1, or off loopback without a token)");
        var parsed = RelayPlan.Parser.ParseFrom(plan);
        relayParameters.Planned(parsed);
        relays.Open(parsed);
        return Task.FromResult(url);
    }

    /// <inheritdoc/>
    public Task AwaitRelayAsync(byte[] planKey) => relays.Of(ShardKey.Parser.ParseFrom(planKey))?.Forwarded ?? Task.CompletedTask;

    /// <inheritdoc/>
    public async Task StartAsync(string device)
    {
        // A worker lives as long as its silo: idle between runs is normal for it.
        DelayDeactivation(TimeSpan.FromDays(3650));
        string address = silo.SiloAddress.ToParsableString();
        await GrainFactory.GetGrain<IWorkerRegistryGrain>(0)
            .RegisterAsync(new WorkerRegistration(WorkerId, device, address, WorkerProof.Compute(options.Value.Token, WorkerId, address)));
    }
}
