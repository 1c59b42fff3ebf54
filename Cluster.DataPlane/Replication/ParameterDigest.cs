using System.IO.Hashing;

namespace MetaCluster.DataPlane.Replication;

/// <summary>
/// A 128-bit digest (XxHash128) of a parameter vector's float32 bytes: two processes that computed
/// the same version compare 16 bytes instead of 4 bytes per parameter. Not cryptographic: it
/// guards against divergence, not against an adversary.
/// </summary>
public static class ParameterDigest
{
    /// <summary>The digest of <paramref name="float32Bytes"/>.</summary>
    public static byte[] Of(ReadOnlySpan<byte> float32Bytes) => XxHash128.Hash(float32Bytes);

    /// <summary>A digest to append bytes to piece by piece (its hash equals <see cref="Of"/> of them all).</summary>
    public static NonCryptographicHashAlgorithm Stream() => new XxHash128();
}
