using System.Buffers.Binary;
using System.Numerics;
using Google.Protobuf;

namespace MetaCluster.Tests.Cluster;

/// <summary>
/// An independent reader of TensorBoard event files: TFRecord records (uint64 length, masked CRC32C
/// of the length, the bytes, masked CRC32C of the bytes), each an <c>Event</c> proto whose
/// <c>summary</c> (field 5) holds values (field 1) of a tag (1) and a simple_value (2). Every CRC is checked.
/// </summary>
public static class TensorboardEventFile
{
    /// <summary>One scalar: its tag, step and value.</summary>
    public sealed record Scalar(string Tag, long Step, float Value);

    /// <summary>The scalars of the event file at <paramref name="path"/>, in file order; throws on a bad record.</summary>
    public static IReadOnlyList<Scalar> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var scalars = new List<Scalar>();
        int at = 0;
        while (at < bytes.Length)
        {
            var lengthBytes = bytes.AsSpan(at, 8);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            Check(lengthBytes, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8, 4)), "length", at);
            var data = bytes.AsSpan(at + 12, checked((int)length));
            Check(data, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + (int)length, 4)), "data", at);
            scalars.AddRange(Event(data.ToArray()));
            at += 12 + (int)length + 4;
        }
        return scalars;
    }

    private static void Check(ReadOnlySpan<byte> data, uint stored, string what, int offset)
    {
        uint crc = ~0u;
        foreach (byte b in data) crc = BitOperations.Crc32C(crc, b);
        crc = ~crc;
        uint masked = ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
        if (masked != stored) throw new InvalidDataException($"record at byte {offset}: {what} CRC {stored:x8}, computed {masked:x8}");
    }

    private static IEnumerable<Scalar> Event(byte[] data)
    {
        var input = new CodedInputStream(data);
        long step = 0;
        var values = new List<(string Tag, float Value)>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 2: step = input.ReadInt64(); break;
                case 5: values.AddRange(Summary(input.ReadBytes().ToByteArray())); break;
                default: input.SkipLastField(); break;
            }
        return values.Select(v => new Scalar(v.Tag, step, v.Value));
    }

    private static IEnumerable<(string, float)> Summary(byte[] data)
    {
        var input = new CodedInputStream(data);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) != 1) { input.SkipLastField(); continue; }
            var value = new CodedInputStream(input.ReadBytes().ToByteArray());
            string name = "";
            float simple = float.NaN;
            uint inner;
            while ((inner = value.ReadTag()) != 0)
                switch (WireFormat.GetTagFieldNumber(inner))
                {
                    case 1: name = value.ReadString(); break;
                    case 2: simple = value.ReadFloat(); break;
                    default: value.SkipLastField(); break;
                }
            yield return (name, simple);
        }
    }
}
