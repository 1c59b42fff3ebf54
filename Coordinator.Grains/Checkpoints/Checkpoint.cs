using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using MetaCluster.Coordinator.Output;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Abstractions;

namespace MetaCluster.Coordinator.Checkpoints;

/// <summary>
/// A run's resumable state: its definition, the step reached, θ and Adam's moments.
/// File layout: the magic line "METACLUSTER-CHECKPOINT 1\n", a little-endian int32 length and that
/// many bytes of JSON metadata, then each tensor's float32 values (little-endian) in metadata order.
/// Written to a temporary name and renamed, so a reader never sees half a checkpoint.
/// </summary>
public sealed record Checkpoint(string RunId, RunDefinition Definition, long Step, long AdamStep, float[] Theta, float[]? FirstMoment, float[]? SecondMoment)
{
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("METACLUSTER-CHECKPOINT 1\n");

    private sealed record Metadata(string RunId, RunDefinition Definition, long Step, long AdamStep, long Elements, bool HasMoments);

    /// <summary>Writes the checkpoint atomically.</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            var metadata = JsonSerializer.SerializeToUtf8Bytes(new Metadata(RunId, Definition, Step, AdamStep, Theta.LongLength, FirstMoment is not null), RunJson.Line);
            stream.Write(Magic);
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, metadata.Length);
            stream.Write(length);
            stream.Write(metadata);
            stream.Write(MemoryMarshal.AsBytes(Theta.AsSpan()));
            if (FirstMoment is not null && SecondMoment is not null)
            {
                stream.Write(MemoryMarshal.AsBytes(FirstMoment.AsSpan()));
                stream.Write(MemoryMarshal.AsBytes(SecondMoment.AsSpan()));
            }
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads a checkpoint; a damaged file gives an <see cref="InvalidDataException"/> naming it.</summary>
    public static Checkpoint Load(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var reader = new BinaryReader(stream);
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw new InvalidDataException("not a checkpoint (bad magic)");
            int length = reader.ReadInt32();
            if (length <= 0 || length > 1 << 24) throw new InvalidDataException($"metadata length {length} is implausible");
            var metadata = JsonSerializer.Deserialize<Metadata>(reader.ReadBytes(length), RunJson.Line)
                ?? throw new InvalidDataException("empty metadata");
            float[] Read()
            {
                var bytes = reader.ReadBytes(checked((int)(metadata.Elements * sizeof(float))));
                if (bytes.Length != metadata.Elements * sizeof(float)) throw new InvalidDataException("the file is truncated");
                return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
            }
            var theta = Read();
            float[]? m = null, v = null;
            if (metadata.HasMoments) { m = Read(); v = Read(); }
            return new Checkpoint(metadata.RunId, metadata.Definition, metadata.Step, metadata.AdamStep, theta, m, v);
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }
}
