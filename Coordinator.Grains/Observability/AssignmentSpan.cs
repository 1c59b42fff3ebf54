using System.Diagnostics;
using static MetaCluster.ServiceDefaults.Telemetry.ClusterTelemetry;

namespace MetaCluster.Coordinator.Observability;

/// <summary>The coordinator's span of one attempt at a unit of a round: the grain call and the wait for its result.</summary>
public static class AssignmentSpan
{
    /// <summary>Starts the <c>shard.assign</c> span under the current meta-step span.</summary>
    public static Activity? Start(string runId, long step, int shard, int attempt, string workerId, string device, int tasks) =>
        CoordinatorSource.StartActivity("shard.assign", ActivityKind.Client, default(ActivityContext),
        [
            new(Attributes.RunId, runId), new(Attributes.Step, step), new(Attributes.Shard, shard),
            new(Attributes.Attempt, attempt), new(Attributes.Worker, workerId), new(Attributes.Device, device),
            new(Attributes.Tasks, tasks),
        ]);
}
