using Grpc.Core;
using Grpc.Net.Client;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.Protos.Wire;
using DataPlaneContract = MetaCluster.Protos.DataPlane.V1.DataPlane;

namespace MetaCluster.SimulatedWorkers;

/// <summary>
/// One simulated worker: its own channel (so its own HTTP/2 connection, as a worker process has)
/// and no compute. A step fetches the step's parameters, as a worker process does once per version,
/// and streams a ready-made gradient as the shard's result, exactly as the TaskWorker's sender does.
/// </summary>
public sealed class SimulatedWorker(int shard, LoadArguments load, ReadOnlyMemory<byte> gradient) : IDisposable
{
    private readonly GrpcChannel channel = DataPlaneTransport.CreateChannel(load.Url);

    /// <summary>Runs one step; returns the parameter bytes received and the gradient bytes sent.</summary>
    public async Task<(long Fetched, long Sent)> StepAsync(long step, CancellationToken cancellationToken)
    {
        var client = new DataPlaneContract.DataPlaneClient(channel);
        long fetched = 0;
        if (load.FetchEvery > 0 && shard % load.FetchEvery == 0)
        {
            // The values are not needed (no compute): they are received, counted and dropped.
            using var call = client.GetParameters(new GetParametersRequest { RunId = load.RunId, Version = step }, cancellationToken: cancellationToken);
            long total = -1;
            await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                if (chunk.ByteOffset == 0) total = chunk.TotalBytes;
                fetched += chunk.Data.Length;
            }
            if (fetched != total || total != (long)load.Elements * sizeof(float))
                throw new InvalidDataException($"parameters of step {step}: received {fetched} of {total} bytes, expected {(long)load.Elements * sizeof(float)}");
        }

        var header = new ShardResultHeader
        {
            Key = new ShardKey { RunId = load.RunId, Step = step, Shard = shard, Attempt = 0 },
            WorkerId = $"simulated-{shard}",
            HasGradient = true,
        };
        header.TaskIndices.Add(shard);
        header.TaskLosses.Add(1.0);
        using var submit = client.SubmitShardResult(cancellationToken: cancellationToken);
        await submit.RequestStream.WriteAsync(new ShardResultPart { Header = header }, cancellationToken);
        foreach (var chunk in TensorWire.Chunk("gradient", [load.Elements], gradient, dtype: load.WireType))
            await submit.RequestStream.WriteAsync(new ShardResultPart { Gradient = chunk }, cancellationToken);
        await submit.RequestStream.CompleteAsync();
        var ack = await submit;
        if (ack.Outcome != ShardResultAck.Types.Outcome.Accepted)
            throw new InvalidOperationException($"shard {shard} of step {step} was not accepted: {ack.Outcome}");
        return (fetched, gradient.Length);
    }

    /// <inheritdoc/>
    public void Dispose() => channel.Dispose();
}
