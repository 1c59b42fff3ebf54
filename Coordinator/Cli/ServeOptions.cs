using MetaCluster.Coordinator.Definitions;
using MetaCluster.ServiceDefaults.Hosting;

namespace MetaCluster.Coordinator.Cli;

/// <summary>Options of <c>serve</c>, checked (<see cref="ServeCommand"/> reads them).</summary>
public sealed record ServeOptions(
    ClusterMembershipSettings Membership, Uri Api, string? Token, string? TlsCertificate, string? TlsKey, string? TlsClientCa,
    string DataPlaneUrl, int MetricsPort, string StateDirectory, IReadOnlyList<string> DataRoots, bool ConsoleTraces = false, RunLimits? Limits = null);
