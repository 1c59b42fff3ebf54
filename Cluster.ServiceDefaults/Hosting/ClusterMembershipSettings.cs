using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace MetaCluster.ServiceDefaults.Hosting;

/// <summary>How a silo joins a multi-process cluster: Redis membership, its ports and advertised address.</summary>
/// <param name="Redis">HOST:PORT of the Redis membership store.</param>
/// <param name="ClusterId">Silos with the same id form one cluster.</param>
/// <param name="SiloPort">Port of silo-to-silo traffic.</param>
/// <param name="AdvertiseAddress">The address other silos reach this one at.</param>
/// <param name="GatewayPort">Orleans client gateway; 0 (the default) opens none, since users talk to the gRPC API.</param>
public sealed record ClusterMembershipSettings(string Redis, string ClusterId, int SiloPort, IPAddress AdvertiseAddress, int GatewayPort = 0)
{
    /// <summary>The service id shared by every cluster of this system.</summary>
    public const string ServiceId = "metacluster";

    /// <summary>Applies the settings to a silo.</summary>
    public void Apply(ISiloBuilder silo)
    {
        // First, so that the settings below (the command line's) are applied after Kubernetes hosting's own.
        KubernetesPod.UseHostingWhenInPod(silo);
        silo.UseRedisClustering(Redis);
        // The scripts and the chart run Redis without persistence: a restart must not split the cluster.
        silo.Services.AddSingleton(this);
        silo.Services.AddHostedService<MembershipTableGuard>();
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
            o.GatewayPort = GatewayPort;
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
