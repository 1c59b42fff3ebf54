using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Output;

namespace MetaCluster.Coordinator.Checkpoints;

/// <summary>
/// The checkpoint file, version 2: the magic line "METACLUSTER-CHECKPOINT 2\n", a little-endian
/// int32 length and that many bytes of JSON header, each tensor's float32 values (little-endian)
/// in header order (θ, then Adam's first and second moments when the header says so), and last the
/// 32-byte SHA-256 of every byte before it. A reader checks the digest before it believes anything
/// in the header, then checks that the header's sizes account for the file exactly, so damage is
/// named instead of loaded as parameters. Version 1 files (no digest) are refused by name: they
/// cannot be verified, and this format has no compatibility shims.
/// </summary>
public static class CheckpointFormat
{
    /// <summary>The format version written and read.</summary>
    public const int Version = 2;

    private const string MagicPrefix = "METACLUSTER-CHECKPOINT ";
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes($"{MagicPrefix}{Version}\n");
    private const int DigestBytes = 32;
    private const int MaxHeaderBytes = 1 << 24;

    private sealed record Header(string RunId, RunDefinition Definition, long Step, long AdamStep, long Elements, bool HasMoments,
        ModelArchitecture? Model = null, IReadOnlyList<TensorEntry>? Tensors = null);

    /// <summary>Writes <paramref name="checkpoint"/> to <paramref name="stream"/>.</summary>
    public static void Write(Checkpoint checkpoint, Stream stream)
    {
        // float32 values are written as the machine holds them; every platform .NET and libtorch run on here is little-endian.
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("checkpoints are written on little-endian machines only");
        var c = checkpoint;
        bool moments = c.FirstMoment is not null && c.SecondMoment is not null;
        var header = JsonSerializer.SerializeToUtf8Bytes(
            new Header(c.RunId, c.Definition, c.Step, c.AdamStep, c.Theta.LongLength, moments, c.Model, c.Tensors), RunJson.Line);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Put(ReadOnlySpan<byte> bytes)
        {
            hash.AppendData(bytes);
            stream.Write(bytes);
        }
        Put(Magic);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, header.Length);
        Put(length);
        Put(header);
        Put(MemoryMarshal.AsBytes(c.Theta.AsSpan()));
        if (moments)
        {
            Put(MemoryMarshal.AsBytes(c.FirstMoment.AsSpan()));
            Put(MemoryMarshal.AsBytes(c.SecondMoment.AsSpan()));
        }
        stream.Write(hash.GetHashAndReset());
    }

    /// <summary>Reads and verifies the checkpoint at <paramref name="path"/> (see <see cref="Checkpoint.Load"/>).</summary>
    public static Checkpoint Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
            CheckMagic(stream);
            long fileLength = stream.Length;
            long bodyEnd = fileLength - DigestBytes;
            if (bodyEnd < Magic.Length + 4) throw Problem($"truncated: {fileLength} bytes, fewer than a checkpoint's header and digest");
            VerifyDigest(stream, bodyEnd);

            stream.Position = Magic.Length;
            using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            int headerLength = reader.ReadInt32();
            if (headerLength <= 0 || headerLength > MaxHeaderBytes || headerLength > bodyEnd - stream.Position)
                throw Problem($"header length {headerLength} does not fit the file");
            var header = JsonSerializer.Deserialize<Header>(reader.ReadBytes(headerLength), RunJson.Line) ?? throw Problem("the header is null");
            CheckHeader(header, bodyEnd - stream.Position);
            float[] ReadTensor()
            {
                var values = new float[header.Elements];
                stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
                return values;
            }
            var theta = ReadTensor();
            float[]? m = null, v = null;
            if (header.HasMoments) { m = ReadTensor(); v = ReadTensor(); }
            return new Checkpoint(header.RunId, header.Definition, header.Step, header.AdamStep, theta, m, v) { Model = header.Model, Tensors = header.Tensors };
        }
        catch (CheckpointProblem e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or NotSupportedException or OverflowException)
        {
            throw new InvalidDataException($"{path}: malformed header: {OneLine(e.Message)}", e);
        }
    }

    private static void CheckMagic(Stream stream)
    {
        var start = new byte[Magic.Length];
        int read = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        if (read == Magic.Length && start.AsSpan().SequenceEqual(Magic)) return;
        string text = Encoding.ASCII.GetString(start, 0, read);
        if (text.StartsWith(MagicPrefix, StringComparison.Ordinal) && text.IndexOf('\n') is var end and > 0)
        {
            string version = text[MagicPrefix.Length..end];
            throw Problem(version == "1"
                ? "an old checkpoint (format version 1, without a digest), which this version cannot verify and does not load"
                : $"checkpoint format version '{version}'; this version reads version {Version}");
        }
        throw Problem("not a checkpoint (it does not start with the checkpoint magic line)");
    }

    private static void VerifyDigest(FileStream stream, long bodyEnd)
    {
        stream.Position = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        for (long left = bodyEnd; left > 0;)
        {
            int n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n == 0) throw new EndOfStreamException();
            hash.AppendData(buffer, 0, n);
            left -= n;
        }
        var stored = new byte[DigestBytes];
        stream.ReadExactly(stored);
        if (!CryptographicOperations.FixedTimeEquals(stored, hash.GetHashAndReset()))
            throw Problem("damaged: its contents do not match its SHA-256 digest (not loaded)");
    }

    // The digest matched, so the header is what a writer wrote; these checks keep a file written
    // wrongly (or forged with a matching digest) from turning into a huge allocation or a crash.
    private static void CheckHeader(Header header, long tensorBytes)
    {
        if (header.Definition is null || header.RunId is null) throw Problem("the header has no run id or definition");
        if (header.Step < 0 || header.AdamStep < 0) throw Problem($"the header's step {header.Step} (Adam {header.AdamStep}) is negative");
        long copies = header.HasMoments ? 3 : 1;
        if (header.Elements < 0 || header.Elements > tensorBytes / sizeof(float) / copies || header.Elements * sizeof(float) * copies != tensorBytes)
            throw Problem($"the header's elements {header.Elements} do not match the {tensorBytes} bytes of tensors in the file");
        if (header.Tensors is { } tensors
            && (tensors.Any(t => t.Name is null || t.Shape is null || t.Shape.Any(d => d < 0)) || tensors.Sum(t => t.Count) != header.Elements))
            throw Problem($"the header's tensor list does not cover its {header.Elements} elements");
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static CheckpointProblem Problem(string message) => new(message);

    // A reason without the file's name; Read adds the name once.
    private sealed class CheckpointProblem(string message) : Exception(message);
}
