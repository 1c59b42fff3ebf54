using MetaCluster.DataPlane;
using MetaCluster.DataPlane.Reduction;
using MetaCluster.DataPlane.Wire;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.TaskWorker.DataPlane;

namespace MetaCluster.TaskWorker.Relay;

/// <summary>
/// The relay's forward: encodes the super-group's sum in the run's wire type, records it for the
/// replica when the plan says the result is the whole step, and streams it to the coordinator.
/// </summary>
public sealed class RelayForwarder(ShardResultSender sender, IForwardedGradients forwardedGradients) : IRelayForwarder
{
    /// <inheritdoc/>
    public async Task ForwardAsync(RelayPlan plan, ShardResultHeader result, GradientLease sum)
    {
        var wireType = plan.GradDtype == DType.Unspecified ? DType.Float32 : plan.GradDtype;
        byte[] bytes;
        using (sum)
        {
            bytes = GradientCodec.Encode(sum.Values, wireType, out long saturated);
            result.TrainGroup.GradientSaturated += saturated;
            if (plan.ReplicateUpdate)
            {
                // What the coordinator will fold: the sum after the wire type's rounding. Recorded
                // before sending, so it is here before the coordinator can publish the next version.
                var sent = sum.Detach();
                if (wireType != DType.Float32) GradientCodec.Decode(bytes, wireType, sent);
                forwardedGradients.Record(plan, sent);
            }
        }
        DataPlaneMeter.RecordBytes(DataPlaneMeter.Transmit, "relay", bytes.LongLength + result.CalculateSize());
        await sender.SendAsync(plan.UpstreamUrl, result, bytes, CancellationToken.None, gradientType: wireType);
    }
}
