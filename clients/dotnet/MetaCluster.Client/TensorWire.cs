using System.Buffers.Binary;
using Google.Protobuf;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.Client;

/// <summary><see cref="FloatTensor"/> and the wire's <c>TensorProto</c> (little-endian raw bytes).</summary>
internal static class TensorWire
{
    public static TensorProto ToProto(FloatTensor tensor)
    {
        var bytes = new byte[tensor.Values.Length * sizeof(float)];
        for (int i = 0; i < tensor.Values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), tensor.Values[i]);
        var proto = new TensorProto { Dtype = DType.Float32, Data = ByteString.CopyFrom(bytes) };
        foreach (int dimension in tensor.Shape) proto.Shape.Add(dimension);
        return proto;
    }

    /// <summary>A float32 tensor from the wire; float64 values are narrowed.</summary>
    /// <exception cref="InvalidDataException">The element type is not a float, or the bytes do not fit the shape.</exception>
    public static FloatTensor FromProto(TensorProto proto)
    {
        int width = proto.Dtype switch
        {
            DType.Float32 => sizeof(float),
            DType.Float64 => sizeof(double),
            _ => throw new InvalidDataException($"predictions in {proto.Dtype}: this client reads float32 and float64"),
        };
        var shape = proto.Shape.Select(d => d is >= 0 and <= int.MaxValue ? (int)d : throw new InvalidDataException($"dimension {d} out of range")).ToArray();
        long count = shape.Aggregate(1L, (a, d) => a * d);
        var data = proto.Data.Span;
        if (data.Length != count * width) throw new InvalidDataException($"tensor [{string.Join(", ", shape)}] has {data.Length} bytes, expected {count * width}");
        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
            values[i] = width == sizeof(float)
                ? BinaryPrimitives.ReadSingleLittleEndian(data[(i * width)..])
                : (float)BinaryPrimitives.ReadDoubleLittleEndian(data[(i * width)..]);
        return new FloatTensor(values, shape);
    }
}
