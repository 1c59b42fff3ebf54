using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Grpc.Core;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.DataPlane.Wire;
using MetaCluster.DataPlane.Reduction;
using MetaCluster.DataPlane.Replication;
using DataPlaneContract = MetaCluster.Protos.DataPlane.V1.DataPlane;

namespace MetaCluster.Coordinator.Services;

/// <summary>
/// The coordinator's side of the data plane: serves published parameters and receives shard
/// results, folding gradient chunks into the step's sum as they arrive. Malformed input gets
/// <see cref="StatusCode.InvalidArgument"/> and leaves the step untouched (or marks it for a
/// clean restart when a partly folded stream breaks).
/// </summary>
public sealed class DataPlaneService(ParameterStore parameters, ShardResultInbox inbox, UpstreamGradientStore upstream, DataPlaneMetrics metrics) : DataPlaneContract.DataPlaneBase
{
    // g_i(X) of one shard: tasks × pooled meta-data × features; far above any real one, it only bounds a hostile header.
    private const long MaxOutputBytes = 1L << 30;

    /// <inheritdoc/>
    public override async Task GetUpstreamGradients(ShardKey request, IServerStreamWriter<TensorChunk> responseStream, ServerCallContext context)
    {
        var values = upstream.Get(request)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"run '{request.RunId}' has no upstream gradients for step {request.Step} shard {request.Shard} attempt {request.Attempt}"));
        var bytes = new byte[values.LongLength * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        foreach (var chunk in TensorWire.Chunk("upstream", [values.LongLength], bytes))
        {
            await responseStream.WriteAsync(chunk, context.CancellationToken);
            metrics.AddSent(chunk.Data.Length);
        }
    }

    /// <inheritdoc/>
    public override async Task GetParameters(GetParametersRequest request, IServerStreamWriter<TensorChunk> responseStream, ServerCallContext context)
    {
        using var lease = parameters.Acquire(request.RunId, request.Version)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"run '{request.RunId}' has no parameters of version {request.Version}"));
        var published = lease.Parameters;
        foreach (var chunk in TensorWire.Chunk("parameters", published.Shape, published.Bytes))
        {
            await responseStream.WriteAsync(chunk, context.CancellationToken);
            metrics.AddSent(chunk.Data.Length);
        }
    }

    /// <inheritdoc/>
    public override Task<ParameterUpdate> GetParameterUpdate(GetParametersRequest request, ServerCallContext context)
    {
        var published = parameters.Get(request.RunId, request.Version)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"run '{request.RunId}' has no parameters of version {request.Version}"));
        var update = new ParameterUpdate
        {
            Version = published.Version,
            OptimizerStep = published.OptimizerStep,
            Replicable = parameters.SharesOptimizerState(request.RunId),
            Replay = published.Recipe is { } recipe ? AdamReplayWire.ToProto(recipe, request.RunId) : null,
        };
        metrics.AddSent(update.CalculateSize());
        return Task.FromResult(update);
    }

    /// <inheritdoc/>
    public override async Task GetOptimizerState(GetParametersRequest request, IServerStreamWriter<TensorChunk> responseStream, ServerCallContext context)
    {
        var state = parameters.OptimizerState(request.RunId, request.Version)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"run '{request.RunId}' shares no optimiser state at version {request.Version} (not the current version, or a run that keeps it to itself)"));
        if (state.FirstMoment is null || state.SecondMoment is null) return; // before the first update: zero
        foreach (var (name, moment) in new[] { ("adam.m", state.FirstMoment), ("adam.v", state.SecondMoment) })
            foreach (var chunk in TensorWire.Chunk(name, [moment.LongLength / sizeof(float)], moment))
            {
                await responseStream.WriteAsync(chunk, context.CancellationToken);
                metrics.AddSent(chunk.Data.Length);
            }
    }

    /// <inheritdoc/>
    public override async Task<ShardResultAck> SubmitShardResult(IAsyncStreamReader<ShardResultPart> requestStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var header = await ShardResultStreams.ReadHeaderAsync(requestStream, ct);
        var collector = inbox.Find(header.Key.RunId);
        ShardResultAck.Types.Outcome outcome;
        try { outcome = collector?.Admit(header.Key, header.Members.Count) ?? ShardResultAck.Types.Outcome.Stale; }
        catch (ArgumentException e) { throw Invalid(e.Message); }
        if (outcome != ShardResultAck.Types.Outcome.Accepted)
        {
            await ShardResultStreams.DrainAsync(requestStream, ct);
            return new ShardResultAck { Outcome = outcome };
        }

        Validate(header, collector!);
        (float[], long[])? taskOutputs = null;
        if (collector!.ExpectsOutputs)
        {
            if (!header.HasOutputs) throw Invalid("header.has_outputs is false, but this phase needs the task outputs");
            taskOutputs = await ReceiveOutputsAsync(requestStream, header, ct);
        }
        else if (collector.Gradient is { } gradient)
        {
            if (!header.HasGradient) throw Invalid("header.has_gradient is false, but this step needs a gradient");
            using var sink = gradient.Begin(collector.UnitOf(header.Key.Shard));
            using var reader = new GradientChunkReader(sink);
            while (await requestStream.MoveNext(ct))
            {
                var part = requestStream.Current;
                if (part.PartCase != ShardResultPart.PartOneofCase.Gradient) throw Invalid("after the header only gradient chunks may follow");
                try { reader.Add(part.Gradient); }
                catch (Exception e) when (e is InvalidDataException or ArgumentOutOfRangeException) { throw Invalid(e.Message); }
                metrics.AddReceived(part.Gradient.Data.Length);
            }
            try { reader.Complete(); }
            catch (InvalidDataException e) { throw Invalid(e.Message); }
        }
        else
        {
            await ShardResultStreams.DrainAsync(requestStream, ct);
        }
        metrics.AddReceived(header.CalculateSize());
        return new ShardResultAck { Outcome = collector.Accept(header, taskOutputs) ? ShardResultAck.Types.Outcome.Accepted : ShardResultAck.Types.Outcome.Duplicate };
    }

    private async Task<(float[], long[])> ReceiveOutputsAsync(IAsyncStreamReader<ShardResultPart> requestStream, ShardResultHeader header, CancellationToken ct)
    {
        byte[]? buffer = null;
        long[] shape = [];
        long received = 0;
        while (await requestStream.MoveNext(ct))
        {
            var part = requestStream.Current;
            if (part.PartCase != ShardResultPart.PartOneofCase.Outputs) throw Invalid("after the header only task-output chunks may follow");
            var chunk = part.Outputs;
            if (chunk.ByteOffset == 0 && buffer is null)
            {
                shape = [.. chunk.Shape];
                if (chunk.Dtype != DType.Float32 || shape.Length != 3 || shape[0] != header.TaskIndices.Count || shape.Any(d => d <= 0))
                    throw Invalid($"outputs: expected FLOAT32 [{header.TaskIndices.Count}, M, F], got {chunk.Dtype} [{string.Join(", ", shape)}]");
                long bytes = shape.Aggregate(1L, (a, b) => a * b) * sizeof(float);
                if (bytes != chunk.TotalBytes || bytes > MaxOutputBytes) throw Invalid($"outputs: shape [{string.Join(", ", shape)}] does not fit {chunk.TotalBytes} bytes");
                buffer = new byte[bytes];
            }
            if (buffer is null || chunk.ByteOffset != received || chunk.ByteOffset + chunk.Data.Length > buffer.Length)
                throw Invalid($"outputs chunk at byte {chunk.ByteOffset} is out of order or outside the tensor");
            chunk.Data.Span.CopyTo(buffer.AsSpan((int)chunk.ByteOffset));
            received += chunk.Data.Length;
            metrics.AddReceived(chunk.Data.Length);
        }
        if (buffer is null || received != buffer.Length) throw Invalid($"outputs of shard {header.Key.Shard} are incomplete");
        var values = MemoryMarshal.Cast<byte, float>(buffer).ToArray();
        if (!AllFinite(values)) throw Invalid($"outputs of shard {header.Key.Shard} contain NaN or infinity");
        return (values, shape);
    }

    private static void Validate(ShardResultHeader header, StepCollector collector)
    {
        if (header.Members.Count > 0)
        {
            if (collector.Gradient is null || collector.Phase != ShardPhase.Single) throw Invalid("header.members: only one-phase training steps take pre-reduced groups");
            foreach (var member in header.Members) Validate(member, collector);
            return;
        }
        int tasks = header.TaskIndices.Count;
        if (tasks == 0) throw Invalid("header.task_indices is empty");
        if (collector.Phase == ShardPhase.RelationAdapt)
        {
            if (header.TaskLosses.Count != tasks) throw Invalid($"header.task_losses has {header.TaskLosses.Count} values for {tasks} tasks");
            if (header.TaskLosses.Any(l => !double.IsFinite(l))) throw Invalid($"header.task_losses of shard {header.Key.Shard} contains NaN or infinity");
            if (header.TaskMetrics.Count != 0 && header.TaskMetrics.Count != tasks) throw Invalid($"header.task_metrics has {header.TaskMetrics.Count} values for {tasks} tasks");
            if (header.TaskEmbeddings is null || header.TaskEmbeddings.Shape.Count != 2 || header.TaskEmbeddings.Shape[0] != tasks)
                throw Invalid($"header.task_embeddings must be [{tasks}, D]");
            if (header.MetaData.Count == 0 || header.MetaData.Count % tasks != 0) throw Invalid($"header.meta_data has {header.MetaData.Count} references for {tasks} tasks");
        }
        else if (collector.Phase is ShardPhase.RelationOutputs or ShardPhase.RelationBackward)
        {
            // The losses and embeddings came with the adapt phase.
        }
        else if (collector.Gradient is not null)
        {
            if (header.TaskLosses.Count != tasks) throw Invalid($"header.task_losses has {header.TaskLosses.Count} values for {tasks} tasks");
            if (header.TaskLosses.Any(l => !double.IsFinite(l))) throw Invalid($"header.task_losses of shard {header.Key.Shard} contains NaN or infinity");
            if (header.TaskMetrics.Count != 0 && header.TaskMetrics.Count != tasks) throw Invalid($"header.task_metrics has {header.TaskMetrics.Count} values for {tasks} tasks");
        }
        else if (header.EvalMetrics.Count % tasks != 0)
        {
            throw Invalid($"header.eval_metrics has {header.EvalMetrics.Count} values, not a multiple of {tasks} tasks");
        }
    }

    private static bool AllFinite(ReadOnlySpan<float> values) => values.IsEmpty || TensorPrimitives.IsFiniteAll(values);

    private static RpcException Invalid(string message) => ShardResultStreams.Invalid(message);
}
