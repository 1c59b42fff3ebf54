using System.Net;
using System.Net.Sockets;

using MetaCluster.ServiceDefaults.Options;

namespace MetaCluster.ServiceDefaults.Hosting;

/// <summary>Address helpers for the secure-by-default rules.</summary>
public static class NetworkAddresses
{
    /// <summary>True for 127.0.0.0/8, ::1 and "localhost".</summary>
    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>Parses an IP address option, or resolves a host name to its first IPv4 address.</summary>
    public static IPAddress Parse(string value, string option)
    {
        if (IPAddress.TryParse(value, out var ip)) return ip;
        try
        {
            return Dns.GetHostAddresses(value).First(a => a.AddressFamily == AddressFamily.InterNetwork);
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException or ArgumentException)
        {
            throw new UsageException($"--{option}: '{value}' is not an IP address or a resolvable host name");
        }
    }
}
