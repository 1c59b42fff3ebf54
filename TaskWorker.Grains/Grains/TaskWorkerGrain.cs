using MetaCluster.Abstractions;
using MetaCluster.TaskWorker.Execution;
using MetaCluster.Protos.DataPlane.V1;
using Orleans.Placement;

namespace MetaCluster.TaskWorker.Grains;

/// <summary>
/// Thin grain over <see cref="ShardRunner"/>. Placed on the silo that activates it (each worker
/// process activates its own workers), and the heavy compute runs off the Orleans scheduler.
/// </summary>
[PreferLocalPlacement]
public sealed class TaskWorkerGrain(ShardRunner runner, ILocalSiloDetails silo, Relay.RelaySessions relays, Relay.RelayParameters relayParameters, Relay.RelayEndpoint relay) : Grain, ITaskWorkerGrain
{
    private string WorkerId => this.GetPrimaryKeyString();

    /// <inheritdoc/>
    public async Task<ShardReceipt> RunShardAsync(EncodedShardRequest request)
    {
        var decoded = request.Decode();
        return await Task.Run(() => runner.RunAsync(WorkerId, decoded, CancellationToken.None));
    }

    /// <inheritdoc/>
    public async Task<ShardReceipt> RunShardGroupAsync(EncodedShardRequest[] members)
    {
        var decoded = members.Select(m => m.Decode()).ToArray();
        return await Task.Run(() => runner.RunGroupAsync(WorkerId, decoded, CancellationToken.None));
    }

    /// <inheritdoc/>
    public Task<string> OpenRelayAsync(byte[] plan)
    {
        string url = relay.Url ?? throw new InvalidOperationException($"worker {WorkerId} runs no reduction relay (--relay-port -1, or off loopback without a token)");
        var parsed = Protos.DataPlane.V1.RelayPlan.Parser.ParseFrom(plan);
        relayParameters.Planned(parsed);
        relays.Open(parsed);
        return Task.FromResult(url);
    }

    /// <inheritdoc/>
    public async Task<ShardResultAck.Types.Outcome> AwaitRelayAsync(byte[] planKey)
    {
        var session = relays.Of(ShardKey.Parser.ParseFrom(planKey));
        return session is null ? ShardResultAck.Types.Outcome.Stale : await session.Verdict;
    }

    /// <inheritdoc/>
    public async Task StartAsync(string device)
    {
        // A worker lives as long as its silo: idle between runs is normal for it.
        DelayDeactivation(TimeSpan.FromDays(3650));
        await GrainFactory.GetGrain<IWorkerRegistryGrain>(0)
            .RegisterAsync(new WorkerRegistration(WorkerId, device, silo.SiloAddress.ToParsableString()));
    }
}
