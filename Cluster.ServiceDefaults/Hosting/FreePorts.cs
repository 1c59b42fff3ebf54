using System.Net;
using System.Net.Sockets;
using MetaCluster.ServiceDefaults.Options;

namespace MetaCluster.ServiceDefaults.Hosting;

/// <summary>Finds unused TCP ports, so several embedded clusters and worker processes (tests, users, one per GPU) can run side by side.</summary>
public static class FreePorts
{
    /// <summary>A loopback port no listener holds right now (another process may take it before it is used).</summary>
    public static int Next() => Next(IPAddress.Loopback);

    /// <summary>A port no listener holds right now on <paramref name="address"/>.</summary>
    public static int Next(IPAddress address)
    {
        using var listener = new TcpListener(address, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Fails at once, naming <paramref name="option"/>, when <paramref name="port"/> (0: any) is
    /// already held on <paramref name="address"/>: a silo whose port is taken is otherwise declared
    /// dead after a while, and Kestrel's failure is a stack trace.
    /// </summary>
    public static void RequireFree(int port, IPAddress address, string option)
    {
        if (port == 0) return;
        try
        {
            using var listener = new TcpListener(address, port);
            listener.Start();
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            throw new UsageException($"--{option} {port} is in use on {address} (another process of the cluster on this host?); give another port, or leave the option out to pick a free one");
        }
    }
}
