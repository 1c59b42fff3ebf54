using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.DataPlane.Wire;

namespace MetaCluster.Tests.DataPlane;

public sealed class GradientCodecTests
{
    // Values over many binades, both signs, plus zeros; long enough for the vectorised path and a scalar tail.
    private static float[] Values(int count, int seed, double minExponent, double maxExponent)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            double magnitude = Math.Pow(2, minExponent + random.NextDouble() * (maxExponent - minExponent));
            values[i] = (float)(random.Next(2) == 0 ? magnitude : -magnitude);
        }
        values[3] = 0f;
        values[7] = -0f;
        return values;
    }

    private static float[] RoundTrip(float[] values, DType dtype, out long saturated)
    {
        var bytes = GradientCodec.Encode(values, dtype, out saturated);
        Assert.Equal(values.Length * GradientCodec.ElementBytes(dtype), bytes.Length);
        var decoded = new float[values.Length];
        GradientCodec.Decode(bytes, dtype, decoded);
        return decoded;
    }

    [Fact]
    public void Bfloat16RoundTripIsWithinHalfAUnitInTheEighthBit()
    {
        var values = Values(10_003, seed: 1, minExponent: -120, maxExponent: 120);
        var decoded = RoundTrip(values, DType.Bfloat16, out long saturated);
        Assert.Equal(0, saturated);
        for (int i = 0; i < values.Length; i++)
            Assert.True(Math.Abs(decoded[i] - (double)values[i]) <= Math.Abs(values[i]) * Math.Pow(2, -8), $"{values[i]} came back as {decoded[i]}");
        Assert.True(float.IsNegative(decoded[7]) && decoded[7] == 0, "-0 keeps its sign");
    }

    [Fact]
    public void Bfloat16VectorisedAndScalarEncodingsAgreeBitForBit()
    {
        var values = Values(4_099, seed: 2, minExponent: -130, maxExponent: 126);
        values[10] = float.NaN; values[11] = float.PositiveInfinity; values[12] = float.NegativeInfinity; values[13] = float.MaxValue; values[14] = -float.MaxValue;
        values[15] = float.Epsilon; values[16] = 1e-40f;
        var bytes = GradientCodec.Encode(values, DType.Bfloat16, out long saturated);
        var bits = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(bytes);
        long expectedSaturated = 0;
        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal(GradientCodec.ToBfloat16(values[i], out bool clamped), bits[i]);
            if (clamped) expectedSaturated++;
        }
        Assert.Equal(2, expectedSaturated);
        Assert.Equal(expectedSaturated, saturated);
    }

    [Theory]
    // Exactly halfway between two bfloat16 values: to the even one.
    [InlineData(1f + 1f / 256, 1f)]
    [InlineData(1f + 3f / 256, 1f + 4f / 256)]
    [InlineData(-(1f + 1f / 256), -1f)]
    // Just above halfway: up.
    [InlineData(1f + 1f / 256 + 1f / 65536, 1f + 2f / 256)]
    public void Bfloat16RoundsToNearestEven(float value, float expected) =>
        Assert.Equal(expected, GradientCodec.FromBfloat16(GradientCodec.ToBfloat16(value, out _)));

    [Fact]
    public void NonFiniteValuesStayNonFiniteAndOverflowSaturates()
    {
        float[] values = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, 70_000f, -1e6f, 65_504f, 65_519f];
        var bf16 = RoundTrip(values, DType.Bfloat16, out long bfSaturated);
        Assert.True(float.IsNaN(bf16[0]));
        Assert.Equal(float.PositiveInfinity, bf16[1]);
        Assert.Equal(float.NegativeInfinity, bf16[2]);
        Assert.Equal(GradientCodec.FromBfloat16(0x7F7F), bf16[3]);
        Assert.Equal(1, bfSaturated);

        var f16 = RoundTrip(values, DType.Float16, out long f16Saturated);
        Assert.True(float.IsNaN(f16[0]));
        Assert.Equal(float.PositiveInfinity, f16[1]);
        Assert.Equal(float.NegativeInfinity, f16[2]);
        Assert.Equal([65_504f, 65_504f, -65_504f, 65_504f, 65_504f], f16[3..]);
        // MaxValue, 70000, -1e6 and 65519 are beyond 65504; 65504 itself is not.
        Assert.Equal(4, f16Saturated);
    }

    [Fact]
    public void Float16RoundTripIsWithinHalfAUnitInTheEleventhBitAndSubnormalsWithinHalfTheirStep()
    {
        var normal = Values(10_001, seed: 3, minExponent: -14, maxExponent: 15.9);
        var decoded = RoundTrip(normal, DType.Float16, out long saturated);
        Assert.Equal(0, saturated);
        for (int i = 0; i < normal.Length; i++)
        {
            Assert.True(Math.Abs(decoded[i] - (double)normal[i]) <= Math.Abs(normal[i]) * Math.Pow(2, -11), $"{normal[i]} came back as {decoded[i]}");
            Assert.Equal((float)(Half)normal[i], decoded[i]);
        }

        var tiny = Values(1_001, seed: 4, minExponent: -30, maxExponent: -14);
        var tinyDecoded = RoundTrip(tiny, DType.Float16, out _);
        for (int i = 0; i < tiny.Length; i++)
            Assert.True(Math.Abs(tinyDecoded[i] - (double)tiny[i]) <= Math.Pow(2, -25), $"{tiny[i]} came back as {tinyDecoded[i]}");
    }

    [Fact]
    public void Float32IsCopiedExactly()
    {
        var values = Values(1_000, seed: 5, minExponent: -140, maxExponent: 127);
        Assert.Equal(values, RoundTrip(values, DType.Float32, out long saturated));
        Assert.Equal(0, saturated);
    }

    [Fact]
    public void NamesParseBothWays()
    {
        foreach (var name in GradientCodec.Names) Assert.Equal(name, GradientCodec.Name(GradientCodec.Parse(name)));
        Assert.Equal("f32", GradientCodec.Name(DType.Unspecified));
        Assert.Throws<ArgumentException>(() => GradientCodec.Parse("fp8"));
    }
}
