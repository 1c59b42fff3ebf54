using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.Protos.Wire;

namespace MetaCluster.TaskWorker.DataPlane;

/// <summary>Streams a shard's result to the coordinator: the header, then the gradient in chunks.</summary>
public sealed class ShardResultSender(DataPlaneChannels channels)
{
    /// <summary>Sends the result and returns the coordinator's acknowledgement.</summary>
    public async Task<ShardResultAck> SendAsync(string url, ShardResultHeader header, byte[]? gradient, CancellationToken cancellationToken)
    {
        using var call = channels.Client(url).SubmitShardResult(cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(new ShardResultPart { Header = header }, cancellationToken);
        if (gradient is not null)
        {
            long[] shape = [gradient.LongLength / sizeof(float)];
            foreach (var chunk in TensorWire.Chunk("gradient", shape, gradient))
                await call.RequestStream.WriteAsync(new ShardResultPart { Gradient = chunk }, cancellationToken);
        }
        await call.RequestStream.CompleteAsync();
        return await call;
    }
}
