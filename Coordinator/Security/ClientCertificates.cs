using System.Security.Cryptography.X509Certificates;
using MetaCluster.DataPlane.Security;

namespace MetaCluster.Coordinator.Security;

/// <summary>mTLS: a client certificate is accepted when it chains to the configured authority.</summary>
public static class ClientCertificates
{
    /// <summary>True when <paramref name="client"/> was issued by <paramref name="authority"/>.</summary>
    public static bool IsIssuedBy(X509Certificate2 client, X509Certificate2 authority) => ClusterCertificates.IsIssuedBy(client, authority);
}
