using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MetaCluster.DataPlane.Transport;

/// <summary>
/// HTTP/2 limits of a Kestrel serving the data plane: the coordinator's (embedded, <c>serve</c>, the
/// benchmarks) and a worker process's reduction relay. Gradients arrive as long streams of 64 KiB messages from many
/// workers at once; Kestrel's default windows (768 KiB per stream, 1 MiB per connection) make each
/// worker wait for a window update every few hundred KiB. Larger windows let a worker stream a
/// whole chunk run without waiting; memory is not at stake, since the service consumes each chunk
/// as it arrives.
/// </summary>
public static class DataPlaneKestrel
{
    /// <summary>Receive window of each stream.</summary>
    public const int StreamWindowBytes = 8 << 20;

    /// <summary>Receive window of each connection (one per worker process).</summary>
    public const int ConnectionWindowBytes = 16 << 20;

    /// <summary>Applies the data plane's HTTP/2 limits.</summary>
    public static void Configure(KestrelServerOptions kestrel)
    {
        kestrel.Limits.Http2.InitialStreamWindowSize = StreamWindowBytes;
        kestrel.Limits.Http2.InitialConnectionWindowSize = ConnectionWindowBytes;
    }
}
