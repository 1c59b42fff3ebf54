using System.Runtime.InteropServices;
using Google.Protobuf;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.DataPlane.Wire;

/// <summary>
/// Converts float32 tensors (as spans of their elements) to and from the wire: whole
/// <see cref="TensorProto"/> messages for small tensors, and in-order <see cref="TensorChunk"/>
/// streams for large ones. The raw bytes are the elements' little-endian representation.
/// </summary>
public static class TensorWire
{
    /// <summary>
    /// Default chunk size, 64 KiB: each chunk's bytes are copied into a new array when a message is
    /// parsed, and arrays under 85,000 bytes stay off the large-object heap, so receiving a tensor
    /// does not churn the garbage collector's most expensive generation. Framing costs about 0.1%.
    /// </summary>
    public const int DefaultChunkBytes = 64 << 10;

    static TensorWire()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("the tensor wire format is little-endian; this machine is not");
    }

    /// <summary>A whole float32 tensor in one message.</summary>
    public static TensorProto ToProto(ReadOnlySpan<float> values, IReadOnlyList<long> shape)
    {
        var proto = new TensorProto { Dtype = DType.Float32, Data = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)) };
        proto.Shape.AddRange(shape);
        return proto;
    }

    /// <summary>The elements of a float32 <see cref="TensorProto"/>, checked against its shape.</summary>
    public static float[] ToFloats(TensorProto proto, string field)
    {
        if (proto.Dtype != DType.Float32)
            throw new InvalidDataException($"{field}: expected dtype FLOAT32, got {proto.Dtype}");
        long expected = ElementCount(proto.Shape, field);
        if (proto.Data.Length != expected * sizeof(float))
            throw new InvalidDataException($"{field}: shape [{string.Join(", ", proto.Shape)}] needs {expected * sizeof(float)} bytes, got {proto.Data.Length}");
        return MemoryMarshal.Cast<byte, float>(proto.Data.Span).ToArray();
    }

    /// <summary>
    /// Splits a tensor's bytes (elements of <paramref name="dtype"/>, float32 unless told) into
    /// chunks. The chunks wrap <paramref name="bytes"/> without copying, so the caller must not
    /// change it while the chunks are in use. Only the first chunk names the tensor and carries
    /// its shape, dtype and size; later ones carry their offset and data alone.
    /// </summary>
    public static IEnumerable<TensorChunk> Chunk(string name, IReadOnlyList<long> shape, ReadOnlyMemory<byte> bytes, int chunkBytes = DefaultChunkBytes, DType dtype = DType.Float32)
    {
        int elementBytes = GradientCodec.ElementBytes(dtype);
        if (chunkBytes <= 0 || chunkBytes % elementBytes != 0)
            throw new ArgumentOutOfRangeException(nameof(chunkBytes), $"chunks must hold whole {dtype} elements");
        long offset = 0;
        do
        {
            int length = (int)Math.Min(chunkBytes, bytes.Length - offset);
            var chunk = new TensorChunk
            {
                ByteOffset = offset,
                Data = UnsafeByteOperations.UnsafeWrap(bytes.Slice((int)offset, length)),
            };
            if (offset == 0)
            {
                chunk.Name = name;
                chunk.Dtype = dtype;
                chunk.TotalBytes = bytes.Length;
                chunk.Shape.AddRange(shape);
            }
            offset += length;
            yield return chunk;
        }
        while (offset < bytes.Length);
    }

    /// <summary>Number of elements of a shape, rejecting negative or absurd dimensions.</summary>
    public static long ElementCount(IReadOnlyList<long> shape, string field)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new InvalidDataException($"{field}: negative dimension {d}");
            count = checked(count * d);
        }
        return count;
    }
}
