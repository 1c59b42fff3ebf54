using Grpc.Net.Client;

namespace MetaCluster.DataPlane.Transport;

/// <summary>
/// How a worker's channel to the data plane is set up, in one place for the TaskWorker and for
/// the benchmarks' simulated workers, so both talk to the coordinator the same way.
/// </summary>
public static class DataPlaneTransport
{
    /// <summary>Largest message accepted: a chunk plus its framing, with room to spare.</summary>
    public const int MaxMessageBytes = 8 << 20;

    /// <summary>
    /// Receive window of each stream a worker opens: a parameter fetch streams θ without waiting
    /// for window updates (the default starts at 64 KiB and grows only as round trips are measured).
    /// </summary>
    public const int StreamWindowBytes = 8 << 20;

    /// <summary>
    /// A channel to the data plane at <paramref name="url"/>. <paramref name="handler"/> replaces the
    /// default HTTP handler (a benchmark counts the bytes on the connection through it); pass one
    /// from <see cref="CreateHandler"/> to keep the data plane's settings.
    /// </summary>
    public static GrpcChannel CreateChannel(string url, HttpMessageHandler? handler = null) =>
        GrpcChannel.ForAddress(url, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = MaxMessageBytes,
            MaxSendMessageSize = MaxMessageBytes,
            HttpHandler = handler ?? CreateHandler(),
        });

    /// <summary>The handler gRPC would make (several HTTP/2 connections allowed), with the data plane's receive window.</summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        EnableMultipleHttp2Connections = true,
        InitialHttp2StreamWindowSize = StreamWindowBytes,
    };
}
