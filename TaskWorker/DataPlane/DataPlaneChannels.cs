using System.Collections.Concurrent;
using Grpc.Net.Client;
using DataPlaneContract = MetaCluster.Protos.DataPlane.V1.DataPlane;

namespace MetaCluster.TaskWorker.DataPlane;

/// <summary>One gRPC channel per coordinator address, shared by all workers of the process.</summary>
public sealed class DataPlaneChannels : IDisposable
{
    /// <summary>Largest message accepted: a chunk plus its framing, with room to spare.</summary>
    public const int MaxMessageBytes = 8 << 20;

    private readonly ConcurrentDictionary<string, GrpcChannel> channels = new();

    /// <summary>A client for the data plane at <paramref name="url"/>.</summary>
    public DataPlaneContract.DataPlaneClient Client(string url) =>
        new(channels.GetOrAdd(url, u => GrpcChannel.ForAddress(u, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = MaxMessageBytes,
            MaxSendMessageSize = MaxMessageBytes,
        })));

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var channel in channels.Values) channel.Dispose();
    }
}
