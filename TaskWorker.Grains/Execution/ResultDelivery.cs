using MetaCluster.Abstractions;
using MetaCluster.DataPlane.Wire;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.ServiceDefaults.Telemetry;
using MetaCluster.TaskWorker.DataPlane;
using MetaCluster.TaskWorker.Observability;
using MetaCluster.DataPlane;

namespace MetaCluster.TaskWorker.Execution;

/// <summary>
/// Sends a result to the data plane its request names (the coordinator, or a relay) and turns the
/// acknowledgement into the receipt the grain call returns: a gradient in the run's wire type
/// (counting elements that saturated it), task outputs as float32, or the header alone.
/// </summary>
public sealed class ResultDelivery(ShardResultSender sender)
{
    /// <summary>Sends <paramref name="header"/> and, for the kinds that carry one, <paramref name="gradient"/> or <paramref name="outputs"/>.</summary>
    public async Task<ShardReceipt> DeliverAsync(ShardRequest request, ShardResultHeader header, float[]? gradient, CancellationToken cancellationToken,
        (float[] Values, long[] Shape)? outputs = null)
    {
        // TRLearner's backward gradients are exact float32; the run's wire type applies to training gradients.
        var wireType = header.ResultCase == ShardResultHeader.ResultOneofCase.RelationBackward || request.Spec.GradDtype == DType.Unspecified
            ? DType.Float32 : request.Spec.GradDtype;
        byte[]? gradientBytes = null;
        if (gradient is not null)
        {
            gradientBytes = GradientCodec.Encode(gradient, wireType, out long saturated);
            if (header.ResultCase == ShardResultHeader.ResultOneofCase.Train) header.Train.GradientSaturated = saturated;
            else if (header.ResultCase == ShardResultHeader.ResultOneofCase.TrainGroup) header.TrainGroup.GradientSaturated = saturated;
        }
        byte[]? outputBytes = outputs is { } o ? System.Runtime.InteropServices.MemoryMarshal.AsBytes(o.Values.AsSpan()).ToArray() : null;
        long bytes = header.CalculateSize() + (gradientBytes?.LongLength ?? 0) + (outputBytes?.LongLength ?? 0);
        ShardResultAck ack;
        using (var send = ShardTracing.Start("result.send", request))
        {
            send?.SetTag(ClusterTelemetry.Attributes.Bytes, bytes);
            ack = await sender.SendAsync(request.DataPlaneUrl, header, gradientBytes, cancellationToken, outputBytes, outputs?.Shape, wireType);
            send?.SetTag("metacluster.outcome", ack.Outcome.ToString());
        }
        DataPlaneMeter.RecordBytes(DataPlaneMeter.Transmit, "worker", bytes);
        return new ShardReceipt(header.WorkerId, ack.Outcome, header.ComputeSeconds, bytes);
    }
}
