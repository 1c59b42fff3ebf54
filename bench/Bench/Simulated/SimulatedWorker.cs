using Grpc.Core;
using Grpc.Net.Client;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.DataPlane.Wire;
using MetaCluster.DataPlane.Replication;
using MetaCluster.DataPlane.Transport;
using DataPlaneContract = MetaCluster.Protos.DataPlane.V1.DataPlane;

namespace MetaCluster.Bench.Simulated;

/// <summary>
/// One simulated worker: its own channel (so its own HTTP/2 connection, as a worker process has)
/// and no compute. A step fetches the step's parameters, as a worker process does once per version,
/// and streams a ready-made gradient as the shard's result, exactly as the TaskWorker's sender does.
/// In a pre-reduction group only the group's first worker sends: the sum of the group's k
/// gradients (<paramref name="values"/> k times, summed and encoded each step, the worker side's
/// real cost) under a header listing the k members. With <see cref="LoadArguments.Replay"/> the
/// fetching worker is the relay whose result is the whole step: it gets each version after the
/// first through its own <see cref="ReplicatedParameters"/> (replaying the coordinator's Adam update
/// on its replica, checked against the digest), as a relay does, and fails the step if it had to
/// fetch instead.
/// </summary>
public sealed class SimulatedWorker(int shard, LoadArguments load, ReadOnlyMemory<byte> gradient, float[] values) : IDisposable
{
    private readonly GrpcChannel channel = DataPlaneTransport.CreateChannel(load.Url);
    private readonly ReplicatedParameters? replicated = load.Replay && load.FetchEvery > 0 && shard % load.FetchEvery == 0 ? new ReplicatedParameters(load.RunId) : null;

    /// <summary>Runs one step; returns the parameter bytes received and the gradient bytes sent.</summary>
    public async Task<(long Fetched, long Sent)> StepAsync(long step, CancellationToken cancellationToken)
    {
        var client = new DataPlaneContract.DataPlaneClient(channel);
        long fetched = 0;
        if (replicated is not null)
        {
            var (_, bytes, source) = await replicated.GetAsync(client, step, cancellationToken);
            if (bytes.LongLength != (long)load.Elements * sizeof(float)) throw new InvalidDataException($"parameters of step {step}: {bytes.Length} bytes, expected {(long)load.Elements * sizeof(float)}");
            if (step > 0 && source != ParameterSource.Replayed) throw new InvalidOperationException($"parameters of step {step} were {source}, not replayed");
            if (source != ParameterSource.Replayed) fetched = bytes.LongLength;
        }
        else if (load.FetchEvery > 0 && shard % load.FetchEvery == 0)
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

        int k = load.ReduceGroup;
        if (shard % k != 0) return (fetched, 0); // a member: the group's first worker sends for it
        int members = Math.Min(k, load.Workers - shard);
        var payload = gradient;
        var header = Header(step, shard);
        if (k > 1)
        {
            header = new ShardResultHeader { Key = header.Key, WorkerId = header.WorkerId, TrainGroup = new TrainGroupResult() };
            for (int i = 0; i < members; i++) header.TrainGroup.Members.Add(Header(step, shard + i));
            var sum = values.ToArray();
            for (int i = 1; i < members; i++) System.Numerics.Tensors.TensorPrimitives.Add(sum, values, sum);
            payload = GradientCodec.Encode(sum, load.WireType, out _);
            if (replicated is not null)
            {
                // What the coordinator folds: the sum after the wire type's rounding.
                if (load.WireType != DType.Float32) GradientCodec.Decode(payload.Span, load.WireType, sum);
                replicated.RecordGradient(step, 0, sum);
            }
        }
        using var submit = client.SubmitShardResult(cancellationToken: cancellationToken);
        await submit.RequestStream.WriteAsync(new ShardResultPart { Header = header }, cancellationToken);
        foreach (var chunk in TensorWire.Chunk("gradient", [load.Elements], payload, dtype: load.WireType))
            await submit.RequestStream.WriteAsync(new ShardResultPart { Gradient = chunk }, cancellationToken);
        await submit.RequestStream.CompleteAsync();
        var ack = await submit;
        if (ack.Outcome != ShardResultAck.Types.Outcome.Accepted)
            throw new InvalidOperationException($"shard {shard} of step {step} was not accepted: {ack.Outcome}");
        return (fetched, payload.Length);
    }

    private ShardResultHeader Header(long step, int ofShard)
    {
        var header = new ShardResultHeader
        {
            Key = new ShardKey { RunId = load.RunId, Step = step, Shard = ofShard, Attempt = 0 },
            WorkerId = $"simulated-{ofShard}",
            Train = new TrainResult(),
        };
        header.TaskIndices.Add(ofShard);
        header.Train.TaskLosses.Add(1.0);
        header.Train.TaskMetrics.Add(1.0);
        return header;
    }

    /// <inheritdoc/>
    public void Dispose() => channel.Dispose();
}
