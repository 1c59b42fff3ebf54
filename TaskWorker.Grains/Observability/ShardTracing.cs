using System.Diagnostics;
using MetaCluster.Protos.DataPlane.V1;
using static MetaCluster.ServiceDefaults.Telemetry.ClusterTelemetry;

namespace MetaCluster.TaskWorker.Observability;

/// <summary>The worker's spans of one shard.</summary>
public static class ShardTracing
{
    /// <summary>
    /// Starts the <c>shard</c> span: a child of the grain call's span when Orleans propagated it,
    /// else of the coordinator's span named in <c>ShardRequest.trace_parent</c>.
    /// </summary>
    public static Activity? StartShard(string workerId, string device, ShardRequest request) =>
        TaskWorkerSource.StartActivity("shard", ActivityKind.Server, ShardParent(request.TraceParent),
        [
            new(Attributes.RunId, request.Key.RunId), new(Attributes.Step, request.Key.Step),
            new(Attributes.Shard, request.Key.Shard), new(Attributes.Attempt, request.Key.Attempt),
            new(Attributes.Worker, workerId), new(Attributes.Device, device),
            new(Attributes.Tasks, request.TaskIndices.Count), new(Attributes.Mode, request.Mode.ToString()),
        ]);

    /// <summary>Starts a child span of the current shard span (inner loop, outer backward, tensor transfer).</summary>
    public static Activity? Start(string name, ShardRequest request) =>
        TaskWorkerSource.StartActivity(name, ActivityKind.Internal, default(ActivityContext),
            [new(Attributes.Step, request.Key.Step), new(Attributes.Shard, request.Key.Shard)]);
}
