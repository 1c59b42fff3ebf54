using System.Security.Cryptography;
using System.Text;

namespace MetaCluster.DataPlane.Security;

/// <summary>
/// A worker's proof that it holds the cluster token: HMAC-SHA256 over its id and silo, keyed by
/// the token. Anything that reaches Redis can join the Orleans cluster, so the registry admits only
/// workers that prove the token, as the data plane admits only calls that carry it.
/// </summary>
public static class WorkerProof
{
    /// <summary>The proof for <paramref name="workerId"/> on <paramref name="silo"/>, hex; empty without a token.</summary>
    public static string Compute(string? token, string workerId, string silo)
    {
        if (string.IsNullOrEmpty(token)) return "";
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes($"metacluster-worker\n{workerId}\n{silo}"));
        return Convert.ToHexStringLower(mac);
    }

    /// <summary>True when no token is required, or <paramref name="proof"/> is the proof for the worker; constant time.</summary>
    public static bool Verify(string? token, string workerId, string silo, string? proof)
    {
        if (string.IsNullOrEmpty(token)) return true;
        var expected = Encoding.ASCII.GetBytes(Compute(token, workerId, silo));
        var given = Encoding.ASCII.GetBytes(proof ?? "");
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
