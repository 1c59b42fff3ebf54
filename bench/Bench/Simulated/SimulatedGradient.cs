using System.Numerics.Tensors;
using MetaCluster.DataPlane.Reduction;
using MetaCluster.DataPlane.Wire;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.Bench.Simulated;

/// <summary>
/// The one gradient every simulated shard sends (its values do not change the coordinator's work),
/// encoded once in the wire type; a group sends the sum of its members' copies, summed and encoded
/// each time, the worker side's real cost (in reused arrays: the load process shares the cores with
/// the coordinator, and a fresh gradient-sized array per group and step would cost both collections). The values are deterministic, so a test can redo the
/// coordinator's arithmetic by hand.
/// </summary>
public sealed class SimulatedGradient(int elements, DType wireType)
{
    // Only groups need the values after encoding; shards alone send the ready-made payload.
    private readonly Lazy<float[]> values = new(() => ValuesOf(elements));

    /// <summary>Elements of the gradient.</summary>
    public int Elements => elements;

    /// <summary>The element type on the wire.</summary>
    public DType WireType => wireType;

    /// <summary>One shard's gradient as sent.</summary>
    public ReadOnlyMemory<byte> Payload { get; } = GradientCodec.Encode(ValuesOf(elements), wireType, out _);

    /// <summary>Gradient-like values: zero-mean, mostly small, a few large; the same for a given size.</summary>
    public static float[] ValuesOf(int elements)
    {
        var random = new Random(17);
        var values = new float[elements];
        for (int i = 0; i < values.Length; i++) values[i] = (float)((random.NextDouble() - 0.5) * Math.Exp(random.NextDouble() * 8 - 8));
        return values;
    }

    /// <summary>
    /// The float32 sum of <paramref name="members"/> shards' gradients, added in shard order as a
    /// worker process sums its group, in an array from <paramref name="buffers"/> (the caller gives it back).
    /// </summary>
    public float[] SumOf(int members, GradientBufferPool buffers)
    {
        var sum = buffers.Rent(elements);
        values.Value.CopyTo(sum, 0);
        for (int i = 1; i < members; i++) TensorPrimitives.Add(sum, values.Value, sum);
        return sum;
    }

    /// <summary><paramref name="sum"/> in the wire type.</summary>
    public byte[] Encode(float[] sum) => GradientCodec.Encode(sum, wireType, out _);
}
