using System.Runtime.InteropServices;
using Google.Protobuf;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.Protos.Wire;

/// <summary>
/// Converts float32 tensors (as spans of their elements) to and from the wire: whole
/// <see cref="TensorProto"/> messages for small tensors, and in-order <see cref="TensorChunk"/>
/// streams for large ones. The raw bytes are the elements' little-endian representation.
/// </summary>
public static class TensorWire
{
    /// <summary>Default chunk size: 1 MiB keeps each gRPC message well under the 4 MiB default limit.</summary>
    public const int DefaultChunkBytes = 1 << 20;

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
    /// Splits a tensor's bytes into chunks. The chunks wrap <paramref name="bytes"/> without
    /// copying, so the caller must not change it while the chunks are in use.
    /// </summary>
    public static IEnumerable<TensorChunk> Chunk(string name, IReadOnlyList<long> shape, ReadOnlyMemory<byte> bytes, int chunkBytes = DefaultChunkBytes)
    {
        if (chunkBytes <= 0 || chunkBytes % sizeof(float) != 0)
            throw new ArgumentOutOfRangeException(nameof(chunkBytes), "chunks must hold whole float32 elements");
        long offset = 0;
        do
        {
            int length = (int)Math.Min(chunkBytes, bytes.Length - offset);
            var chunk = new TensorChunk
            {
                Name = name,
                ByteOffset = offset,
                Data = UnsafeByteOperations.UnsafeWrap(bytes.Slice((int)offset, length)),
            };
            if (offset == 0)
            {
                chunk.Dtype = DType.Float32;
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
