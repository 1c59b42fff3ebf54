using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.TaskWorker.Execution;

/// <summary>
/// Fault injection for tests of the exactly-once and retry rules: when <see cref="BeforeShard"/>
/// returns an exception for a request, the worker throws it instead of running the shard (and, for
/// TRLearner's later phases, drops the graph it kept, as a restarted worker would have lost it).
/// Null (the default) injects nothing.
/// </summary>
public sealed class WorkerFaults
{
    /// <summary>Called with the worker id and the request before a shard runs.</summary>
    public Func<string, ShardRequest, Exception?>? BeforeShard { get; set; }

    /// <summary>Called before a relay forwards a super-group's result; an exception fails the forward.</summary>
    public Func<RelayPlan, Exception?>? BeforeRelayForward { get; set; }

    /// <summary>
    /// Called with the gradient a relay records for replaying the next update (its replica of the
    /// coordinator's Adam), before it forwards it; changing it makes the replica diverge.
    /// </summary>
    public Action<RelayPlan, float[]>? BeforeRelayRecordsGradient { get; set; }
}
