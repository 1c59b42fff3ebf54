using Google.Protobuf;
using MetaCluster.Abstractions;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.ServiceDefaults.Telemetry;

namespace MetaCluster.Coordinator.Steps;

/// <summary>The workers' grains, called with each assignment turned into its Protobuf request here and only here.</summary>
public sealed class GrainWorkerCalls(IGrainFactory grains) : IWorkerCalls
{
    /// <inheritdoc/>
    public Task<ShardReceipt> RunAsync(string workerId, ShardAssignment assignment) =>
        Worker(workerId).RunAsync(EncodedShardRequest.From(WorkRequests.ToProto(assignment, ClusterTelemetry.CurrentTraceParent())));

    /// <inheritdoc/>
    public Task<string> OpenRelayAsync(string workerId, RelayPlan plan) => Worker(workerId).OpenRelayAsync(plan.ToByteArray());

    /// <inheritdoc/>
    public Task AwaitRelayAsync(string workerId, ShardKey planKey) => Worker(workerId).AwaitRelayAsync(planKey.ToByteArray());

    private ITaskWorkerGrain Worker(string workerId) => grains.GetGrain<ITaskWorkerGrain>(workerId);
}
