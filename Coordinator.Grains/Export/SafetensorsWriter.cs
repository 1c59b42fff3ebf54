using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MetaCluster.Coordinator.Output;

namespace MetaCluster.Coordinator.Export;

/// <summary>One float32 tensor of a safetensors file.</summary>
public sealed record NamedTensor(string Name, long[] Shape, float[] Values)
{
    /// <summary>Elements its shape holds.</summary>
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// Writes the safetensors format (the format of Hugging Face's safetensors library): an 8-byte
/// little-endian header length, a JSON header
/// <c>{name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {string: string}}</c>
/// padded with spaces to a multiple of 8 bytes, then the tensors' raw little-endian bytes, back to
/// back in header order (offsets are relative to the end of the header). Written here rather than
/// with a library because no safetensors package for .NET is on the NuGet registry this project
/// builds from, and the format is this small. The metadata gets <see cref="DigestKey"/>: the
/// SHA-256 of the data section, hex, which <see cref="SafetensorsReader"/> checks.
/// </summary>
public static class SafetensorsWriter
{
    /// <summary>Metadata key of the data section's SHA-256 (lower-case hex).</summary>
    public const string DigestKey = "data_sha256";

    /// <summary>Writes <paramref name="tensors"/> and <paramref name="metadata"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, IReadOnlyList<NamedTensor> tensors, IEnumerable<KeyValuePair<string, string>> metadata, FileStreamFactory? create = null)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors data is little-endian; this machine is not");
        foreach (var t in tensors)
            if (t.Count != t.Values.LongLength) throw new ArgumentException($"tensor '{t.Name}' has shape [{string.Join(", ", t.Shape)}] but {t.Values.LongLength} values");
        if (tensors.Select(t => t.Name).Distinct(StringComparer.Ordinal).Count() != tensors.Count) throw new ArgumentException("tensor names must be unique");

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var t in tensors) sha.AppendData(MemoryMarshal.AsBytes(t.Values.AsSpan()));
        var withDigest = metadata.Where(kv => kv.Key != DigestKey)
            .Append(new(DigestKey, Convert.ToHexStringLower(sha.GetHashAndReset())));
        var header = Header(tensors, withDigest);

        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var t in tensors) stream.Write(MemoryMarshal.AsBytes(t.Values.AsSpan()));
        }, create);
    }

    private static byte[] Header(IReadOnlyList<NamedTensor> tensors, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            foreach (var (key, value) in metadata) json.WriteString(key, value);
            json.WriteEndObject();
            long offset = 0;
            foreach (var t in tensors)
            {
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (long d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                long end = offset + t.Count * sizeof(float);
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteEndObject();
                offset = end;
            }
            json.WriteEndObject();
        }
        // The reference writer pads the header so the data starts 8-byte aligned; readers that map
        // the file rely on it.
        int padding = (8 - (int)(buffer.Length % 8)) % 8;
        buffer.Write(Encoding.ASCII.GetBytes(new string(' ', padding)));
        return buffer.ToArray();
    }
}
