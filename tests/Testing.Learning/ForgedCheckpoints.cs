using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace MetaCluster.Testing.Learning;

/// <summary>
/// Checkpoint files made byte by byte: a given format version, JSON header and tensor bytes, and
/// (from version 2) a SHA-256 that matches, as a writer with a bug, or a forger, could make them.
/// </summary>
public static class ForgedCheckpoints
{
    /// <summary>The file's bytes.</summary>
    public static byte[] Bytes(int version, string headerJson, int tensorBytes)
    {
        using var body = new MemoryStream();
        body.Write(Encoding.ASCII.GetBytes($"METACLUSTER-CHECKPOINT {version}\n"));
        var header = Encoding.UTF8.GetBytes(headerJson);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, header.Length);
        body.Write(length);
        body.Write(header);
        body.Write(new byte[tensorBytes]);
        if (version >= 2) body.Write(SHA256.HashData(body.ToArray()));
        return body.ToArray();
    }

    /// <summary>A header of a sinusoid run whose element count is the raw JSON <paramref name="elements"/>.</summary>
    public static string Header(string elements) =>
        $$"""{"run_id":"run-test","definition":{"task":"sinusoid"},"step":1,"adam_step":0,"elements":{{elements}},"has_moments":false}""";
}
