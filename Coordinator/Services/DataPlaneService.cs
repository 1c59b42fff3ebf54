using System.Runtime.InteropServices;
using Grpc.Core;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.Protos.Wire;
using DataPlaneContract = MetaCluster.Protos.DataPlane.V1.DataPlane;

namespace MetaCluster.Coordinator.Services;

/// <summary>
/// The coordinator's side of the data plane: serves published parameters and receives shard
/// results, folding gradient chunks into the step's sum as they arrive. Malformed input gets
/// <see cref="StatusCode.InvalidArgument"/> and leaves the step untouched (or marks it for a
/// clean restart when a partly folded stream breaks).
/// </summary>
public sealed class DataPlaneService(ParameterStore parameters, ShardResultInbox inbox, DataPlaneMetrics metrics) : DataPlaneContract.DataPlaneBase
{
    /// <inheritdoc/>
    public override async Task GetParameters(GetParametersRequest request, IServerStreamWriter<TensorChunk> responseStream, ServerCallContext context)
    {
        var published = parameters.Get(request.RunId, request.Version)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"run '{request.RunId}' has no parameters of version {request.Version}"));
        foreach (var chunk in TensorWire.Chunk("parameters", published.Shape, published.Bytes))
        {
            await responseStream.WriteAsync(chunk, context.CancellationToken);
            metrics.AddSent(chunk.Data.Length);
        }
    }

    /// <inheritdoc/>
    public override async Task<ShardResultAck> SubmitShardResult(IAsyncStreamReader<ShardResultPart> requestStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        if (!await requestStream.MoveNext(ct) || requestStream.Current.PartCase != ShardResultPart.PartOneofCase.Header)
            throw Invalid("the first message of a shard result must be its header");
        var header = requestStream.Current.Header;
        if (header.Key is null) throw Invalid("header.key is missing");

        var collector = inbox.Find(header.Key.RunId);
        var outcome = collector?.Admit(header.Key) ?? ShardResultAck.Types.Outcome.Stale;
        if (outcome != ShardResultAck.Types.Outcome.Accepted)
        {
            await DrainAsync(requestStream, ct);
            return new ShardResultAck { Outcome = outcome };
        }

        Validate(header, collector!);
        if (collector!.Gradient is { } gradient)
        {
            if (!header.HasGradient) throw Invalid("header.has_gradient is false, but this step needs a gradient");
            using var sink = gradient.Begin(header.Key.Shard);
            while (await requestStream.MoveNext(ct))
            {
                var part = requestStream.Current;
                if (part.PartCase != ShardResultPart.PartOneofCase.Gradient) throw Invalid("after the header only gradient chunks may follow");
                var chunk = part.Gradient;
                if (chunk.ByteOffset % sizeof(float) != 0 || chunk.Data.Length % sizeof(float) != 0)
                    throw Invalid($"gradient chunk at byte {chunk.ByteOffset} is not made of whole float32 elements");
                if (chunk.ByteOffset == 0 && (chunk.Dtype != DType.Float32 || chunk.TotalBytes != (long)gradient.Elements * sizeof(float)))
                    throw Invalid($"gradient: expected FLOAT32 of {gradient.Elements} elements, got {chunk.Dtype} of {chunk.TotalBytes} bytes");
                var values = MemoryMarshal.Cast<byte, float>(chunk.Data.Span);
                if (!AllFinite(values)) throw Invalid($"gradient of shard {header.Key.Shard} contains NaN or infinity");
                try { sink.Add(chunk.ByteOffset / sizeof(float), values); }
                catch (Exception e) when (e is InvalidDataException or ArgumentOutOfRangeException) { throw Invalid(e.Message); }
                metrics.AddReceived(chunk.Data.Length);
            }
            try { sink.Complete(); }
            catch (InvalidDataException e) { throw Invalid(e.Message); }
        }
        else
        {
            await DrainAsync(requestStream, ct);
        }
        metrics.AddReceived(header.CalculateSize());
        return new ShardResultAck { Outcome = collector.Accept(header) ? ShardResultAck.Types.Outcome.Accepted : ShardResultAck.Types.Outcome.Duplicate };
    }

    private static void Validate(ShardResultHeader header, StepCollector collector)
    {
        int tasks = header.TaskIndices.Count;
        if (tasks == 0) throw Invalid("header.task_indices is empty");
        if (collector.Gradient is not null)
        {
            if (header.TaskLosses.Count != tasks) throw Invalid($"header.task_losses has {header.TaskLosses.Count} values for {tasks} tasks");
            if (header.TaskLosses.Any(l => !double.IsFinite(l))) throw Invalid($"header.task_losses of shard {header.Key.Shard} contains NaN or infinity");
        }
        else if (header.EvalMetrics.Count % tasks != 0)
        {
            throw Invalid($"header.eval_metrics has {header.EvalMetrics.Count} values, not a multiple of {tasks} tasks");
        }
    }

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (var v in values) if (!float.IsFinite(v)) return false;
        return true;
    }

    private static async Task DrainAsync(IAsyncStreamReader<ShardResultPart> stream, CancellationToken ct)
    {
        while (await stream.MoveNext(ct)) { }
    }

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
