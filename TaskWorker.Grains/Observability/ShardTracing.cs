using System.Diagnostics;
using MetaCluster.Protos.DataPlane.V1;
using static MetaCluster.ServiceDefaults.Telemetry.ClusterTelemetry;

namespace MetaCluster.TaskWorker.Observability;

/// <summary>The worker's spans of one shard.</summary>
public static class ShardTracing
{
    /// <summary>
    /// Starts the span of one request: <c>shard</c>, or <c>shard-group</c> for a pre-reduction
    /// group (whose members each get a <c>shard</c> span under it). A child of the grain call's span
    /// when Orleans propagated it, else of the coordinator's span named in <c>ShardRequest.trace_parent</c>.
    /// </summary>
    public static Activity? StartShard(string workerId, string device, ShardRequest request)
    {
        bool group = request.WorkCase == ShardRequest.WorkOneofCase.TrainGroup;
        int tasks = group ? request.TrainGroup.Members.Sum(m => m.TaskIndices.Count) : request.TaskIndices.Count;
        return TaskWorkerSource.StartActivity(group ? "shard-group" : "shard", ActivityKind.Server, ShardParent(request.TraceParent),
            Tags(workerId, device, request, request.Key, tasks));
    }

    /// <summary>Starts the <c>shard</c> span of one member of a group, under the group's span.</summary>
    public static Activity? StartMember(string workerId, string device, ShardRequest group, ShardKey member, int tasks) =>
        TaskWorkerSource.StartActivity("shard", ActivityKind.Internal, default(ActivityContext), Tags(workerId, device, group, member, tasks));

    /// <summary>Starts a child span of the current shard span (tensor transfer, evaluation).</summary>
    public static Activity? Start(string name, ShardRequest request) =>
        TaskWorkerSource.StartActivity(name, ActivityKind.Internal, default(ActivityContext),
            [new(Attributes.Step, request.Key.Step), new(Attributes.Shard, request.Key.Shard)]);

    private static KeyValuePair<string, object?>[] Tags(string workerId, string device, ShardRequest request, ShardKey key, int tasks) =>
    [
        new(Attributes.RunId, key.RunId), new(Attributes.Step, key.Step),
        new(Attributes.Shard, key.Shard), new(Attributes.Attempt, key.Attempt),
        new(Attributes.Worker, workerId), new(Attributes.Device, device),
        new(Attributes.Tasks, tasks), new(Attributes.Mode, WorkNames.Of(request.WorkCase)),
    ];
}
