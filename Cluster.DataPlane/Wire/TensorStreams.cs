using Grpc.Core;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.DataPlane.Wire;

/// <summary>One float32 tensor received whole from a chunk stream.</summary>
public sealed record ReceivedTensor(string Name, long[] Shape, byte[] Bytes);

/// <summary>
/// Reads streams of <see cref="TensorChunk"/>s (see <see cref="TensorWire.Chunk"/>) into whole
/// float32 tensors, one after another, each checked: a first chunk that states a shape fitting its
/// size, then chunks in order that fill it exactly. Malformed streams throw
/// <see cref="InvalidDataException"/> naming <c>what</c> was being read.
/// </summary>
public static class TensorStreams
{
    /// <summary>Every tensor of the stream, in order.</summary>
    public static async Task<IReadOnlyList<ReceivedTensor>> ReadAllAsync(IAsyncStreamReader<TensorChunk> stream, string what, CancellationToken cancellationToken = default)
    {
        var tensors = new List<ReceivedTensor>();
        ReceivedTensor? current = null;
        long received = 0;
        await foreach (var chunk in stream.ReadAllAsync(cancellationToken))
        {
            if (current is null || received == current.Bytes.Length)
            {
                if (chunk.ByteOffset != 0) throw new InvalidDataException($"{what}: a tensor starts at byte {chunk.ByteOffset}, not 0");
                if (chunk.Dtype != DType.Float32) throw new InvalidDataException($"{what}: expected FLOAT32, got {chunk.Dtype}");
                long[] shape = [.. chunk.Shape];
                if (shape.Any(d => d < 0) || shape.Aggregate(1L, (a, b) => checked(a * b)) * sizeof(float) != chunk.TotalBytes || chunk.TotalBytes > Array.MaxLength)
                    throw new InvalidDataException($"{what}: shape [{string.Join(", ", shape)}] does not fit {chunk.TotalBytes} bytes");
                current = new ReceivedTensor(chunk.Name, shape, GC.AllocateUninitializedArray<byte>((int)chunk.TotalBytes));
                tensors.Add(current);
                received = 0;
            }
            if (chunk.ByteOffset != received || chunk.ByteOffset + chunk.Data.Length > current.Bytes.Length)
                throw new InvalidDataException($"{what}: chunk at byte {chunk.ByteOffset} is out of order or outside the tensor");
            chunk.Data.Span.CopyTo(current.Bytes.AsSpan((int)chunk.ByteOffset));
            received += chunk.Data.Length;
        }
        if (current is not null && received != current.Bytes.Length) throw new InvalidDataException($"{what}: incomplete stream ({received} of {current.Bytes.Length} bytes of '{current.Name}')");
        return tensors;
    }

    /// <summary>The stream's one tensor.</summary>
    public static async Task<ReceivedTensor> ReadOneAsync(IAsyncStreamReader<TensorChunk> stream, string what, CancellationToken cancellationToken = default)
    {
        var tensors = await ReadAllAsync(stream, what, cancellationToken);
        return tensors.Count == 1 ? tensors[0] : throw new InvalidDataException($"{what}: expected one tensor, got {tensors.Count}");
    }
}
