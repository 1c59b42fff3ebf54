using Grpc.Core;
using Grpc.Net.Client;
using MetaCluster.DataPlane.Transport;
using MetaCluster.DataPlane.Wire;
using MetaCluster.Protos.DataPlane.V1;
using DataPlaneContract = MetaCluster.Protos.DataPlane.V1.DataPlane;

namespace MetaCluster.Bench.Simulated;

/// <summary>
/// One simulated worker: its own channel (so its own HTTP/2 connection, as a worker process has)
/// and no compute. It fetches a version of the parameters as a worker process does, receiving,
/// counting and dropping the bytes, and streams a ready-made result exactly as the TaskWorker's
/// sender does.
/// </summary>
public sealed class SimulatedWorker(string url, string runId) : IDisposable
{
    private readonly GrpcChannel channel = DataPlaneTransport.CreateChannel(url);

    /// <summary>The data plane's client on this worker's connection.</summary>
    public DataPlaneContract.DataPlaneClient Client => new(channel);

    /// <summary>
    /// Fetches version <paramref name="version"/> of <paramref name="elements"/> parameters with
    /// <paramref name="secret"/> (the assignment's, as a worker reads them); returns the bytes received.
    /// </summary>
    public async Task<long> FetchAsync(long version, int elements, byte[] secret, CancellationToken cancellationToken)
    {
        var request = new GetParametersRequest { RunId = runId, Version = version, AssignmentSecret = Google.Protobuf.ByteString.CopyFrom(secret) };
        using var call = Client.GetParameters(request, cancellationToken: cancellationToken);
        long fetched = 0, total = -1;
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            if (chunk.ByteOffset == 0) total = chunk.TotalBytes;
            fetched += chunk.Data.Length;
        }
        if (fetched != total || total != (long)elements * sizeof(float))
            throw new InvalidDataException($"parameters of version {version}: received {fetched} of {total} bytes, expected {(long)elements * sizeof(float)}");
        return fetched;
    }

    /// <summary>Streams <paramref name="header"/> and its gradient <paramref name="payload"/> (in <paramref name="wireType"/>); returns the acknowledgement.</summary>
    public async Task<ShardResultAck> SendAsync(ShardResultHeader header, ReadOnlyMemory<byte> payload, DType wireType, CancellationToken cancellationToken)
    {
        using var submit = Client.SubmitShardResult(cancellationToken: cancellationToken);
        await submit.RequestStream.WriteAsync(new ShardResultPart { Header = header }, cancellationToken);
        long[] shape = [payload.Length / GradientCodec.ElementBytes(wireType)];
        foreach (var chunk in TensorWire.Chunk("gradient", shape, payload, dtype: wireType))
            await submit.RequestStream.WriteAsync(new ShardResultPart { Gradient = chunk }, cancellationToken);
        await submit.RequestStream.CompleteAsync();
        return await submit;
    }

    /// <inheritdoc/>
    public void Dispose() => channel.Dispose();
}
