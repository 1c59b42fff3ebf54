using System.Net;
using System.Net.Sockets;

namespace MetaCluster.ServiceDefaults.Hosting;

/// <summary>Finds unused loopback TCP ports, so several embedded clusters (tests, users) can run side by side.</summary>
public static class FreePorts
{
    /// <summary>A port no listener holds right now (another process may take it before it is used).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
