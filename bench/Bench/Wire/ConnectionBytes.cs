using System.Net.Sockets;
using MetaCluster.DataPlane.Wire;
using MetaCluster.DataPlane.Transport;

namespace MetaCluster.Bench.Wire;

/// <summary>
/// Counts the bytes a client writes to and reads from its TCP connections, that is everything on
/// the wire above TCP: HTTP/2 frames (headers, data, window updates, pings, settings), gRPC message
/// prefixes and the Protobuf messages. <see cref="CreateHandler"/> gives an HTTP handler whose
/// connections are counted.
/// </summary>
public sealed class ConnectionBytes
{
    private long read, written;

    /// <summary>Bytes read from the connections so far.</summary>
    public long Read => Interlocked.Read(ref read);

    /// <summary>Bytes written to the connections so far.</summary>
    public long Written => Interlocked.Read(ref written);

    internal int AddRead(int bytes)
    {
        Interlocked.Add(ref read, bytes);
        return bytes;
    }

    internal void AddWritten(int bytes) => Interlocked.Add(ref written, bytes);

    /// <summary>
    /// A handler set up as the workers' (<see cref="DataPlaneTransport.CreateHandler"/>), whose
    /// connections are counted.
    /// </summary>
    public SocketsHttpHandler CreateHandler()
    {
        var handler = DataPlaneTransport.CreateHandler();
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new CountingStream(new NetworkStream(socket, ownsSocket: true), this);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
        return handler;
    }
}
