using System.Net;
using System.Net.Sockets;

namespace MetaCluster.Coordinator.Hosting;

/// <summary>Finds unused loopback TCP ports, so several embedded clusters (tests, users) can run side by side.</summary>
internal static class FreePorts
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
