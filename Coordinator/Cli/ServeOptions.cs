using MetaCluster.Coordinator.Definitions;
using MetaCluster.ServiceDefaults.Hosting;

namespace MetaCluster.Coordinator.Cli;

/// <summary>Options of <c>serve</c>, checked (<see cref="ServeCommand"/> reads them).</summary>
public sealed record ServeOptions(
    ClusterMembershipSettings Membership, Uri Api, string? Token, string? TlsCertificate, string? TlsKey, string? TlsClientCa,
    string DataPlaneUrl, int MetricsPort, string StateDirectory, IReadOnlyList<string> DataRoots, bool ConsoleTraces = false, RunLimits? Limits = null,
    string? WorkerToken = null)
{
    /// <summary>Who may call what: the user token on the public API, the worker token (default: the user token) on the data plane and for admission.</summary>
    public MetaCluster.DataPlane.Security.ApiCredentials Credentials => new(Token, WorkerToken ?? Token);
}
