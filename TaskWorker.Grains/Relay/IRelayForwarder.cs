using MetaCluster.DataPlane.Reduction;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.TaskWorker.Relay;

/// <summary>
/// Sends a relay session's summed result upstream. An interface so that tests can make a forward
/// fail without the product carrying the hook.
/// </summary>
public interface IRelayForwarder
{
    /// <summary>Sends <paramref name="result"/> with the gradient <paramref name="sum"/> (the lease is the forwarder's) and returns when upstream acknowledged it.</summary>
    Task ForwardAsync(RelayPlan plan, ShardResultHeader result, GradientLease sum);
}

/// <summary>
/// Where a relay records the gradient it forwarded as the step's result (the coordinator will have
/// folded exactly these values), so its replica of the optimiser can replay the next update. An
/// interface so that tests can make a replica diverge.
/// </summary>
public interface IForwardedGradients
{
    /// <summary>Records <paramref name="sumAsSent"/>, the forwarded gradient after the wire type's rounding, for <paramref name="plan"/>.</summary>
    void Record(RelayPlan plan, float[] sumAsSent);
}
