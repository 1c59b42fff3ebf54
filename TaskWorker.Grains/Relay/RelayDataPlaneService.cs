using Grpc.Core;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.DataPlane.Wire;
using MetaCluster.TaskWorker.DataPlane;
using MetaCluster.ServiceDefaults.Telemetry;
using DataPlaneContract = MetaCluster.Protos.DataPlane.V1.DataPlane;

namespace MetaCluster.TaskWorker.Relay;

/// <summary>
/// A worker process's reduction relay: the data-plane service, served to the workers of the
/// super-groups the coordinator planned here (<see cref="RelaySessions"/>). It serves parameters
/// fetched once from upstream, takes each group's pre-reduced result, and forwards one summed
/// result per super-group to the coordinator. A group's sender is answered as soon as its group is
/// held (not after the coordinator's verdict: a worker waiting on other workers' groups could wait on
/// itself), and the coordinator learns the super-group's fate from its own step collector.
/// Malformed input gets <see cref="StatusCode.InvalidArgument"/> and leaves the session as it was.
/// </summary>
public sealed class RelayDataPlaneService(RelaySessions sessions, RelayParameters parameters, ShardResultSender sender, Execution.WorkerFaults faults) : DataPlaneContract.DataPlaneBase
{
    /// <inheritdoc/>
    public override async Task GetParameters(GetParametersRequest request, IServerStreamWriter<TensorChunk> responseStream, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.UpstreamUrl)) throw Invalid("upstream_url is missing: a relay serves parameters it fetches from the coordinator");
        var (shape, bytes) = await parameters.GetAsync(request.UpstreamUrl, request.RunId, request.Version);
        foreach (var chunk in TensorWire.Chunk("parameters", shape, bytes))
            await responseStream.WriteAsync(chunk, context.CancellationToken);
        ClusterMetrics.RecordBytes("sent", "relay", bytes.LongLength);
    }

    /// <inheritdoc/>
    public override async Task<ShardResultAck> SubmitShardResult(IAsyncStreamReader<ShardResultPart> requestStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var header = await ShardResultStreams.ReadHeaderAsync(requestStream, ct);
        if (!header.HasGradient) throw Invalid("header.has_gradient is false, but a relay forwards gradients");

        var session = sessions.Find(header.Key);
        int group;
        try { group = session?.Admit(header) ?? -1; }
        catch (ArgumentException e) { throw Invalid(e.Message); }
        if (session is null || group < 0)
        {
            await ShardResultStreams.DrainAsync(requestStream, ct);
            return new ShardResultAck { Outcome = session is null ? ShardResultAck.Types.Outcome.Stale : ShardResultAck.Types.Outcome.Duplicate };
        }

        var gradient = GC.AllocateUninitializedArray<float>(session.Plan.Elements);
        using (var reader = new GradientChunkReader(new ArraySink(header.Key.Shard, gradient)))
        {
            try
            {
                while (await requestStream.MoveNext(ct))
                {
                    var part = requestStream.Current;
                    if (part.PartCase != ShardResultPart.PartOneofCase.Gradient) throw Invalid("after the header only gradient chunks may follow");
                    reader.Add(part.Gradient);
                    ClusterMetrics.RecordBytes("received", "relay", part.Gradient.Data.Length);
                }
                reader.Complete();
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentOutOfRangeException)
            {
                throw Invalid(e.Message);
            }
        }
        return new ShardResultAck
        {
            Outcome = session.Accept(group, header, gradient, ForwardAsync) ? ShardResultAck.Types.Outcome.Accepted : ShardResultAck.Types.Outcome.Duplicate,
        };

        async Task<ShardResultAck.Types.Outcome> ForwardAsync(ShardResultHeader result, float[] sum)
        {
            var plan = session.Plan;
            if (faults.BeforeRelayForward?.Invoke(plan) is { } fault) throw fault;
            var wireType = plan.GradDtype == DType.Unspecified ? DType.Float32 : plan.GradDtype;
            var bytes = GradientCodec.Encode(sum, wireType, out long saturated);
            result.GradientSaturated += saturated;
            if (plan.ReplicateUpdate)
            {
                // What the coordinator will fold: the sum after the wire type's rounding. Recorded
                // before sending, so it is here before the coordinator can publish the next version.
                if (wireType != DType.Float32) GradientCodec.Decode(bytes, wireType, sum);
                if (faults.BeforeRelayRecordsGradient is { } diverge)
                {
                    sum = (float[])sum.Clone(); // the forwarded bytes are already encoded: only the replica's copy changes
                    diverge(plan, sum);
                }
                parameters.Forwarded(plan, sum);
            }
            ClusterMetrics.RecordBytes("sent", "relay", bytes.LongLength + result.CalculateSize());
            return (await sender.SendAsync(plan.UpstreamUrl, result, bytes, CancellationToken.None, gradientType: wireType)).Outcome;
        }
    }

    /// <inheritdoc/>
    public override Task GetUpstreamGradients(ShardKey request, IServerStreamWriter<TensorChunk> responseStream, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, "a relay carries one-phase training results only; TRLearner's phases go to the coordinator"));

    private static RpcException Invalid(string message) => ShardResultStreams.Invalid(message);

    // A group's gradient, decoded into one array.
    private sealed class ArraySink(int shard, float[] values) : IGradientSink
    {
        private long received;

        public int Shard => shard;

        public int Elements => values.Length;

        public void Add(long elementOffset, ReadOnlySpan<float> chunk)
        {
            if (elementOffset != received || elementOffset + chunk.Length > values.Length)
                throw new InvalidDataException($"gradient chunk at element {elementOffset} is out of order or outside the {values.Length} elements");
            chunk.CopyTo(values.AsSpan((int)elementOffset));
            received += chunk.Length;
        }

        public void Complete()
        {
            if (received != values.Length) throw new InvalidDataException($"gradient has {received} elements, expected {values.Length}");
        }
    }
}
