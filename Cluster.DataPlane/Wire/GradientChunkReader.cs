using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.DataPlane.Wire;

/// <summary>Where a gradient stream's decoded float32 values go, chunk by chunk, in order.</summary>
public interface IGradientSink
{
    /// <summary>The shard (or group) the gradient belongs to, for messages.</summary>
    int Shard { get; }

    /// <summary>Elements of the gradient.</summary>
    int Elements { get; }

    /// <summary>Takes the values at an element offset; chunks arrive in order.</summary>
    void Add(long elementOffset, ReadOnlySpan<float> values);

    /// <summary>Marks the gradient complete; throws when elements are missing.</summary>
    void Complete();
}

/// <summary>
/// Decodes one shard's gradient chunks into a sink as they arrive (the coordinator's step sum, or
/// a relay's buffer). The first chunk names the
/// wire type (float32, bfloat16 or float16) and the total size; every chunk must hold whole
/// elements, at the next offset, and only finite values. Reduced-precision chunks are decoded into
/// float32 through one scratch buffer per stream; float32 chunks are read in place.
/// Throws <see cref="InvalidDataException"/> (or <see cref="ArgumentOutOfRangeException"/>) naming
/// what is wrong.
/// </summary>
public sealed class GradientChunkReader(IGradientSink sink) : IDisposable
{
    private DType dtype = DType.Unspecified;
    private int elementBytes;
    private float[]? scratch;

    /// <summary>The wire type of the stream (unspecified until the first chunk).</summary>
    public DType WireType => dtype;

    /// <summary>Decodes, checks and passes on one chunk.</summary>
    public void Add(TensorChunk chunk)
    {
        if (dtype == DType.Unspecified)
        {
            if (chunk.ByteOffset != 0) throw new InvalidDataException($"gradient chunk at byte {chunk.ByteOffset} came before the first chunk");
            if (chunk.Dtype is not (DType.Float32 or DType.Bfloat16 or DType.Float16))
                throw new InvalidDataException($"gradient: expected FLOAT32, BFLOAT16 or FLOAT16, got {chunk.Dtype}");
            int size = GradientCodec.ElementBytes(chunk.Dtype);
            if (chunk.TotalBytes != (long)sink.Elements * size)
                throw new InvalidDataException($"gradient: expected {chunk.Dtype} of {sink.Elements} elements ({(long)sink.Elements * size} bytes), got {chunk.TotalBytes} bytes");
            dtype = chunk.Dtype;
            elementBytes = size;
        }
        if (chunk.ByteOffset % elementBytes != 0 || chunk.Data.Length % elementBytes != 0)
            throw new InvalidDataException($"gradient chunk at byte {chunk.ByteOffset} is not made of whole {dtype} elements");
        int count = chunk.Data.Length / elementBytes;
        if (count == 0) return;
        ReadOnlySpan<float> values;
        if (dtype == DType.Float32)
        {
            values = MemoryMarshal.Cast<byte, float>(chunk.Data.Span);
        }
        else
        {
            if (scratch is null || scratch.Length < count)
            {
                if (scratch is not null) ArrayPool<float>.Shared.Return(scratch);
                scratch = ArrayPool<float>.Shared.Rent(count);
            }
            var decoded = scratch.AsSpan(0, count);
            GradientCodec.Decode(chunk.Data.Span, dtype, decoded);
            values = decoded;
        }
        if (!TensorPrimitives.IsFiniteAll(values)) throw new InvalidDataException($"gradient of shard {sink.Shard} contains NaN or infinity");
        sink.Add(chunk.ByteOffset / elementBytes, values);
    }

    /// <summary>Marks the gradient complete; throws when elements are missing.</summary>
    public void Complete() => sink.Complete();

    /// <inheritdoc/>
    public void Dispose()
    {
        if (scratch is not null) ArrayPool<float>.Shared.Return(scratch);
        scratch = null;
    }
}
