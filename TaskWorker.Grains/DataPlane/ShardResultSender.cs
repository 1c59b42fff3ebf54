using Grpc.Core;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.DataPlane.Wire;

namespace MetaCluster.TaskWorker.DataPlane;

/// <summary>Streams a shard's result to the coordinator: the header, then the gradient (or TRLearner's task outputs) in chunks.</summary>
public sealed class ShardResultSender(DataPlaneChannels channels)
{
    /// <summary>
    /// Sends the result and returns the coordinator's acknowledgement. <paramref name="gradient"/>
    /// holds elements of <paramref name="gradientType"/> (float32 unless told; see <see cref="GradientCodec"/>).
    /// </summary>
    public async Task<ShardResultAck> SendAsync(string url, ShardResultHeader header, byte[]? gradient, CancellationToken cancellationToken,
        byte[]? outputs = null, IReadOnlyList<long>? outputShape = null, DType gradientType = DType.Float32)
    {
        using var call = channels.Client(url).SubmitShardResult(cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(new ShardResultPart { Header = header }, cancellationToken);
        if (gradient is not null)
        {
            long[] shape = [gradient.LongLength / GradientCodec.ElementBytes(gradientType)];
            foreach (var chunk in TensorWire.Chunk("gradient", shape, gradient, dtype: gradientType))
                await call.RequestStream.WriteAsync(new ShardResultPart { Gradient = chunk }, cancellationToken);
        }
        if (outputs is not null)
        {
            foreach (var chunk in TensorWire.Chunk("outputs", outputShape ?? [outputs.LongLength / sizeof(float)], outputs))
                await call.RequestStream.WriteAsync(new ShardResultPart { Outputs = chunk }, cancellationToken);
        }
        await call.RequestStream.CompleteAsync();
        return await call;
    }

    /// <summary>TRLearner's phase 2: fetches a shard's upstream gradients (∂L_TR/∂z rows, then ∂L_TR/∂g rows, flat).</summary>
    public async Task<float[]> FetchUpstreamAsync(string url, ShardKey key, CancellationToken cancellationToken)
    {
        var call = channels.Client(url).GetUpstreamGradients(key, cancellationToken: cancellationToken);
        byte[]? buffer = null;
        long received = 0;
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            if (chunk.ByteOffset == 0)
            {
                if (chunk.Dtype != DType.Float32) throw new InvalidDataException($"upstream gradients: expected FLOAT32, got {chunk.Dtype}");
                buffer = new byte[chunk.TotalBytes];
            }
            if (buffer is null || chunk.ByteOffset != received || chunk.ByteOffset + chunk.Data.Length > buffer.Length)
                throw new InvalidDataException($"upstream gradients: chunk at byte {chunk.ByteOffset} is out of order or outside the tensor");
            chunk.Data.Span.CopyTo(buffer.AsSpan((int)chunk.ByteOffset));
            received += chunk.Data.Length;
        }
        if (buffer is null || received != buffer.Length) throw new InvalidDataException($"upstream gradients of shard {key.Shard}: incomplete stream");
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(buffer).ToArray();
    }
}
