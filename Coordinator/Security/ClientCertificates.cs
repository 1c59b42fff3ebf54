using System.Security.Cryptography.X509Certificates;

namespace MetaCluster.Coordinator.Security;

/// <summary>mTLS: a client certificate is accepted when it chains to the configured authority.</summary>
public static class ClientCertificates
{
    /// <summary>True when <paramref name="client"/> was issued by <paramref name="authority"/>.</summary>
    public static bool IsIssuedBy(X509Certificate2 client, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(client);
    }
}
