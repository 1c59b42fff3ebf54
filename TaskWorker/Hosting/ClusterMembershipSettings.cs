using System.Net;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace MetaCluster.TaskWorker.Hosting;

/// <summary>How a silo joins a multi-process cluster: Redis membership, its ports and advertised address.</summary>
public sealed record ClusterMembershipSettings(string Redis, string ClusterId, int SiloPort, IPAddress AdvertiseAddress)
{
    /// <summary>The service id shared by every cluster of this system.</summary>
    public const string ServiceId = "metacluster";

    /// <summary>Applies the settings to a silo.</summary>
    public void Apply(ISiloBuilder silo)
    {
        silo.UseRedisClustering(Redis);
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = ClusterId;
            o.ServiceId = ServiceId;
        });
        silo.Configure<EndpointOptions>(o =>
        {
            o.SiloPort = SiloPort;
            o.AdvertisedIPAddress = AdvertiseAddress;
            o.SiloListeningEndpoint = new IPEndPoint(IPAddress.IsLoopback(AdvertiseAddress) ? AdvertiseAddress : IPAddress.Any, SiloPort);
            // No Orleans clients connect: users talk to the coordinator's gRPC API.
            o.GatewayPort = 0;
        });
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            // Workers are expected to die (preemption, OOM, SIGKILL in tests): notice within seconds.
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            o.NumMissedProbesLimit = 2;
            o.NumVotesForDeathDeclaration = 1;
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
        });
    }
}
