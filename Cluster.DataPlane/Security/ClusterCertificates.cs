using System.Security.Cryptography.X509Certificates;

namespace MetaCluster.DataPlane.Security;

/// <summary>mTLS with a private certificate authority: loading it, and checking that a certificate chains to it alone.</summary>
public static class ClusterCertificates
{
    /// <summary>
    /// The authority's certificate from a PEM file. Not <c>CreateFromPemFile(path)</c>: without a key
    /// file that looks for a private key in the certificate's file, and fails on a plain CA certificate.
    /// </summary>
    public static X509Certificate2 LoadAuthority(string pemFile) => X509Certificate2.CreateFromPem(File.ReadAllText(pemFile));

    /// <summary>True when <paramref name="certificate"/> chains to <paramref name="authority"/>, trusting nothing else.</summary>
    public static bool IsIssuedBy(X509Certificate2 certificate, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
