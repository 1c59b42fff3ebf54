using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace MetaCluster.Coordinator.Export;

/// <summary>A safetensors file as read: its tensors in file order and its metadata.</summary>
public sealed record SafetensorsFile(IReadOnlyList<NamedTensor> Tensors, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The tensor called <paramref name="name"/>.</summary>
    public NamedTensor this[string name] => Tensors.FirstOrDefault(t => t.Name == name) ?? throw new KeyNotFoundException($"no tensor '{name}'");
}

/// <summary>
/// Reads the float32 safetensors files <see cref="SafetensorsWriter"/> writes, and checks them:
/// the header must parse, every tensor must be F32 with a shape that matches its data offsets,
/// the offsets must tile the data section exactly, and the data's SHA-256 must equal the
/// metadata's <see cref="SafetensorsWriter.DigestKey"/>. Any failure is an
/// <see cref="InvalidDataException"/> whose message is one line naming the file.
/// </summary>
public static class SafetensorsReader
{
    // The reference implementation's limit on the header; it also keeps a damaged length from
    // becoming a huge allocation.
    private const long MaxHeaderBytes = 100_000_000;

    /// <summary>Reads and verifies <paramref name="path"/>.</summary>
    public static SafetensorsFile Read(string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length < 8) throw Problem($"truncated: {bytes.Length} bytes, fewer than the 8 of the header length");
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            if (headerLength == 0 || headerLength > MaxHeaderBytes || headerLength > (ulong)(bytes.Length - 8))
                throw Problem($"header length {headerLength} does not fit the file's {bytes.Length} bytes");
            int dataStart = 8 + (int)headerLength;
            var data = bytes.AsMemory(dataStart);
            using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
            if (header.RootElement.ValueKind != JsonValueKind.Object) throw Problem("the header is not a JSON object");

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<(string Name, long[] Shape, long Begin, long End)>();
            foreach (var property in header.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__") ReadMetadata(property.Value, metadata);
                else entries.Add(ReadEntry(property.Name, property.Value));
            }
            long position = 0;
            foreach (var e in entries.OrderBy(e => e.Begin))
            {
                if (e.Begin != position) throw Problem($"tensor '{e.Name}' starts at byte {e.Begin} of the data, expected {position}");
                position = e.End;
            }
            if (position != data.Length) throw Problem($"the tensors cover {position} bytes of data; the file holds {data.Length}");

            if (!metadata.TryGetValue(SafetensorsWriter.DigestKey, out var expected)) throw Problem($"no {SafetensorsWriter.DigestKey} in the metadata to verify the data with");
            string actual = Convert.ToHexStringLower(SHA256.HashData(data.Span));
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase)) throw Problem($"damaged: the data's SHA-256 is {actual}, the metadata says {expected}");

            var tensors = entries.Select(e => new NamedTensor(e.Name, e.Shape,
                MemoryMarshal.Cast<byte, float>(data.Span[(int)e.Begin..(int)e.End]).ToArray())).ToArray();
            return new SafetensorsFile(tensors, metadata);
        }
        catch (SafetensorsProblem e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: malformed header: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object) throw Problem("__metadata__ is not an object");
        foreach (var item in value.EnumerateObject())
            metadata[item.Name] = item.Value.ValueKind == JsonValueKind.String ? item.Value.GetString()! : throw Problem($"metadata '{item.Name}' is not a string");
    }

    private static (string Name, long[] Shape, long Begin, long End) ReadEntry(string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object) throw Problem($"tensor '{name}' is not an object");
        if (!value.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String || dtype.GetString() != "F32")
            throw Problem($"tensor '{name}' is not F32, the only dtype this reader takes");
        long[] Longs(string field) =>
            value.TryGetProperty(field, out var array) && array.ValueKind == JsonValueKind.Array
                ? array.EnumerateArray().Select(d => d.TryGetInt64(out long x) && x >= 0 ? x : throw Problem($"tensor '{name}' has a bad {field} value {d.GetRawText()}")).ToArray()
                : throw Problem($"tensor '{name}' has no {field} array");
        var shape = Longs("shape");
        var offsets = Longs("data_offsets");
        if (offsets.Length != 2 || offsets[1] < offsets[0]) throw Problem($"tensor '{name}' has data_offsets [{string.Join(", ", offsets)}]");
        // Checked: a shape like [1e18, 1e18] must be an error, not a product that wrapped around.
        long bytes;
        try { bytes = checked(shape.Aggregate(1L, (a, b) => a * b) * sizeof(float)); }
        catch (OverflowException) { throw Problem($"tensor '{name}' has shape [{string.Join(", ", shape)}], too large"); }
        if (offsets[1] - offsets[0] != bytes)
            throw Problem($"tensor '{name}' has shape [{string.Join(", ", shape)}] ({bytes} bytes) but data_offsets [{offsets[0]}, {offsets[1]}]");
        return (name, shape, offsets[0], offsets[1]);
    }

    private static SafetensorsProblem Problem(string message) => new(message);

    // A reason without the file's name; Read adds the name once.
    private sealed class SafetensorsProblem(string message) : Exception(message);
}
