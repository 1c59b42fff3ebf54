using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.DataPlane.Wire;

/// <summary>
/// The element types an outer gradient may travel in: float32 as is, or bfloat16 / float16
/// rounded to nearest, ties to even. Non-finite values keep their class (NaN stays NaN, ±∞ stays
/// ±∞) so the coordinator still rejects a broken gradient. A finite value too large for the type
/// is sent as the type's largest finite value of the same sign and counted as saturated:
/// float16 saturates beyond ±65504; bfloat16, with float32's exponent range, only within half a
/// bfloat16 step of float32's largest values.
/// </summary>
public static class GradientCodec
{
    /// <summary>The largest finite float16.</summary>
    public const float Float16Max = 65504f;

    private const uint Bf16MaxFinite = 0x7F7F;

    /// <summary>The command-line names of the wire types: f32, bf16, f16.</summary>
    public static IReadOnlyList<string> Names { get; } = ["f32", "bf16", "f16"];

    /// <summary>The wire type named <paramref name="name"/> (f32, bf16 or f16).</summary>
    public static DType Parse(string name) => name switch
    {
        "f32" => DType.Float32,
        "bf16" => DType.Bfloat16,
        "f16" => DType.Float16,
        _ => throw new ArgumentException($"gradient dtype must be one of {string.Join(", ", Names)}; got '{name}'"),
    };

    /// <summary>The command-line name of a wire type; unspecified reads as f32.</summary>
    public static string Name(DType dtype) => dtype switch
    {
        DType.Unspecified or DType.Float32 => "f32",
        DType.Bfloat16 => "bf16",
        DType.Float16 => "f16",
        _ => throw new ArgumentException($"{dtype} is not a gradient wire type"),
    };

    /// <summary>Bytes per element of a gradient wire type; unspecified reads as float32.</summary>
    public static int ElementBytes(DType dtype) => dtype switch
    {
        DType.Unspecified or DType.Float32 => sizeof(float),
        DType.Bfloat16 or DType.Float16 => sizeof(ushort),
        _ => throw new InvalidDataException($"{dtype} is not a gradient wire type (FLOAT32, BFLOAT16 or FLOAT16)"),
    };

    /// <summary>
    /// Encodes <paramref name="values"/> as <paramref name="dtype"/> into a new array of
    /// little-endian bytes; <paramref name="saturated"/> counts finite values clamped to the type's range.
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<float> values, DType dtype, out long saturated)
    {
        var bytes = GC.AllocateUninitializedArray<byte>(checked(values.Length * ElementBytes(dtype)));
        saturated = Encode(values, dtype, bytes);
        return bytes;
    }

    /// <summary>Encodes into <paramref name="destination"/>; returns how many finite values were saturated.</summary>
    public static long Encode(ReadOnlySpan<float> values, DType dtype, Span<byte> destination)
    {
        if (destination.Length < (long)values.Length * ElementBytes(dtype)) throw new ArgumentException("destination is too short", nameof(destination));
        switch (dtype)
        {
            case DType.Unspecified or DType.Float32:
                MemoryMarshal.AsBytes(values).CopyTo(destination);
                return 0;
            case DType.Bfloat16:
                return EncodeBfloat16(values, MemoryMarshal.Cast<byte, ushort>(destination));
            case DType.Float16:
                return EncodeFloat16(values, MemoryMarshal.Cast<byte, Half>(destination));
            default:
                throw new ArgumentException($"{dtype} is not a gradient wire type");
        }
    }

    /// <summary>Decodes little-endian <paramref name="dtype"/> elements into float32 (exact for every type).</summary>
    public static void Decode(ReadOnlySpan<byte> bytes, DType dtype, Span<float> destination)
    {
        switch (dtype)
        {
            case DType.Unspecified or DType.Float32:
                MemoryMarshal.Cast<byte, float>(bytes).CopyTo(destination);
                break;
            case DType.Bfloat16:
                DecodeBfloat16(MemoryMarshal.Cast<byte, ushort>(bytes), destination);
                break;
            case DType.Float16:
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(bytes), destination);
                break;
            default:
                throw new InvalidDataException($"{dtype} is not a gradient wire type");
        }
    }

    /// <summary>One float32 as bfloat16 bits, rounded to nearest even, saturating finite overflow.</summary>
    public static ushort ToBfloat16(float value, out bool saturated)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        uint magnitude = bits & 0x7FFF_FFFF;
        uint sign = (bits >> 16) & 0x8000;
        saturated = false;
        if (magnitude > 0x7F80_0000) return (ushort)(sign | (magnitude >> 16) | 0x0040); // quiet NaN
        if (magnitude == 0x7F80_0000) return (ushort)(sign | 0x7F80);
        uint rounded = (magnitude + 0x7FFF + ((magnitude >> 16) & 1)) >> 16;
        if (rounded > Bf16MaxFinite)
        {
            saturated = true;
            rounded = Bf16MaxFinite;
        }
        return (ushort)(sign | rounded);
    }

    /// <summary>bfloat16 bits as float32 (exact).</summary>
    public static float FromBfloat16(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    private static long EncodeBfloat16(ReadOnlySpan<float> values, Span<ushort> destination)
    {
        var bits = MemoryMarshal.Cast<float, uint>(values);
        long saturated = 0;
        int i = 0;
        int width = Vector<uint>.Count;
        if (Vector.IsHardwareAccelerated && bits.Length >= 2 * width)
        {
            var count = Vector<uint>.Zero;
            for (; i <= bits.Length - 2 * width; i += 2 * width)
            {
                var low = EncodeBfloat16(new Vector<uint>(bits[i..]), ref count);
                var high = EncodeBfloat16(new Vector<uint>(bits[(i + width)..]), ref count);
                Vector.Narrow(low, high).CopyTo(destination[i..]);
            }
            // Each saturated lane subtracted all-ones (that is, added one) to its counter.
            for (int lane = 0; lane < width; lane++) saturated += count[lane];
        }
        for (; i < values.Length; i++)
        {
            destination[i] = ToBfloat16(values[i], out bool clamped);
            if (clamped) saturated++;
        }
        return saturated;
    }

    private static Vector<uint> EncodeBfloat16(Vector<uint> bits, ref Vector<uint> saturatedCount)
    {
        var magnitude = bits & new Vector<uint>(0x7FFF_FFFF);
        var sign = (bits >> 16) & new Vector<uint>(0x8000);
        var infinity = new Vector<uint>(0x7F80_0000);
        var finite = Vector.LessThan(magnitude, infinity);
        var rounded = (magnitude + new Vector<uint>(0x7FFF) + ((magnitude >> 16) & Vector<uint>.One)) >> 16;
        var maxFinite = new Vector<uint>(Bf16MaxFinite);
        saturatedCount -= Vector.GreaterThan(rounded, maxFinite) & finite;
        rounded = Vector.Min(rounded, maxFinite);
        var nan = Vector.GreaterThan(magnitude, infinity);
        var special = (magnitude >> 16) | (nan & new Vector<uint>(0x0040));
        return Vector.ConditionalSelect(finite, rounded, special) | sign;
    }

    private static void DecodeBfloat16(ReadOnlySpan<ushort> bits, Span<float> destination)
    {
        if (destination.Length < bits.Length) throw new ArgumentException("destination is too short", nameof(destination));
        var target = MemoryMarshal.Cast<float, uint>(destination);
        int i = 0;
        int width = Vector<ushort>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= bits.Length - width; i += width)
            {
                Vector.Widen(new Vector<ushort>(bits[i..]), out var low, out var high);
                (low << 16).CopyTo(target[i..]);
                (high << 16).CopyTo(target[(i + width / 2)..]);
            }
        }
        for (; i < bits.Length; i++) target[i] = (uint)bits[i] << 16;
    }

    private static long EncodeFloat16(ReadOnlySpan<float> values, Span<Half> destination)
    {
        // The common case has nothing to saturate: one vectorised conversion (NaN and ±∞ pass
        // through as NaN and ±∞). MaxMagnitude is NaN when a NaN is present; then check each value.
        float largest = values.IsEmpty ? 0 : TensorPrimitives.MaxMagnitude(values);
        if (Math.Abs(largest) <= Float16Max)
        {
            TensorPrimitives.ConvertToHalf(values, destination);
            return 0;
        }
        long saturated = 0;
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (float.IsFinite(v) && Math.Abs(v) > Float16Max)
            {
                saturated++;
                v = MathF.CopySign(Float16Max, v);
            }
            destination[i] = (Half)v;
        }
        return saturated;
    }
}
