using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Grpc.Core;
using MetaCluster.DataPlane.Wire;
using MetaCluster.Protos.DataPlane.V1;
using Outcome = MetaCluster.Protos.DataPlane.V1.ShardResultAck.Types.Outcome;

namespace MetaCluster.DataPlane.Reduction;

/// <summary>
/// Receives one <c>SubmitShardResult</c> stream into the collector awaiting it, for every
/// data-plane server alike (the coordinator's, a relay's): the header is checked
/// (<see cref="ResultHeaderRules"/>) and admitted by its round's <see cref="UnitCollector"/>; a
/// result nobody awaits is drained and answered stale or duplicate; an awaited one streams its
/// gradient straight into the round's ordered sum (or its task outputs into memory) and is then
/// accepted, once. Malformed input throws <see cref="StatusCode.InvalidArgument"/> and leaves the
/// round as it was (or, for a partly folded gradient, marked for a clean restart).
/// </summary>
public static class ResultReceiver
{
    // g_i(X) of one shard: tasks × pooled meta-data × features; far above any real one, it only bounds a hostile header.
    private const long MaxOutputBytes = 1L << 30;

    /// <summary>
    /// Reads the stream; <paramref name="find"/> gives the collector of the round a key belongs to
    /// (or null), <paramref name="received"/> counts payload bytes as they arrive.
    /// </summary>
    public static async Task<ShardResultAck> ReceiveAsync(IAsyncStreamReader<ShardResultPart> stream, Func<ShardKey, UnitCollector?> find,
        Action<long> received, CancellationToken cancellationToken)
    {
        var header = await ShardResultStreams.ReadHeaderAsync(stream, cancellationToken);
        var collector = find(header.Key);
        Outcome outcome;
        try { outcome = collector?.Admit(header) ?? Outcome.Stale; }
        catch (ArgumentException e) { throw Invalid(e.Message); }
        if (outcome != Outcome.Accepted)
        {
            await ShardResultStreams.DrainAsync(stream, cancellationToken);
            return new ShardResultAck { Outcome = outcome };
        }

        (float[], long[])? outputs = null;
        if (collector!.Gradient is { } gradient)
            await ReceiveGradientAsync(stream, gradient, collector.CoveredUnit(header), received, cancellationToken);
        else if (ResultKinds.CarriesOutputs(header.ResultCase))
            outputs = await ReceiveOutputsAsync(stream, header, received, cancellationToken);
        else if (await stream.MoveNext(cancellationToken))
            throw Invalid($"a {header.ResultCase} result carries nothing after its header");
        received(header.CalculateSize());
        return new ShardResultAck { Outcome = collector.Accept(header, outputs) ? Outcome.Accepted : Outcome.Duplicate };
    }

    private static async Task ReceiveGradientAsync(IAsyncStreamReader<ShardResultPart> stream, OrderedGradientSum gradient, int unit, Action<long> received,
        CancellationToken cancellationToken)
    {
        using var sink = gradient.Begin(unit);
        using var reader = new GradientChunkReader(sink);
        while (await stream.MoveNext(cancellationToken))
        {
            var part = stream.Current;
            if (part.PartCase != ShardResultPart.PartOneofCase.Gradient) throw Invalid("after the header only gradient chunks may follow");
            try { reader.Add(part.Gradient); }
            catch (Exception e) when (e is InvalidDataException or ArgumentOutOfRangeException) { throw Invalid(e.Message); }
            received(part.Gradient.Data.Length);
        }
        try { reader.Complete(); }
        catch (InvalidDataException e) { throw Invalid(e.Message); }
    }

    private static async Task<(float[], long[])> ReceiveOutputsAsync(IAsyncStreamReader<ShardResultPart> stream, ShardResultHeader header, Action<long> received,
        CancellationToken cancellationToken)
    {
        byte[]? buffer = null;
        long[] shape = [];
        long have = 0;
        int tasks = header.TaskIndices.Count;
        while (await stream.MoveNext(cancellationToken))
        {
            var part = stream.Current;
            if (part.PartCase != ShardResultPart.PartOneofCase.Outputs) throw Invalid("after the header only task-output chunks may follow");
            var chunk = part.Outputs;
            if (chunk.ByteOffset == 0 && buffer is null)
            {
                shape = [.. chunk.Shape];
                if (chunk.Dtype != DType.Float32 || shape.Length != 3 || shape[0] != tasks || shape.Any(d => d <= 0))
                    throw Invalid($"outputs: expected FLOAT32 [{tasks}, M, F], got {chunk.Dtype} [{string.Join(", ", shape)}]");
                long bytes = shape.Aggregate(1L, (a, b) => a * b) * sizeof(float);
                if (bytes != chunk.TotalBytes || bytes > MaxOutputBytes) throw Invalid($"outputs: shape [{string.Join(", ", shape)}] does not fit {chunk.TotalBytes} bytes");
                buffer = new byte[bytes];
            }
            if (buffer is null || chunk.ByteOffset != have || chunk.ByteOffset + chunk.Data.Length > buffer.Length)
                throw Invalid($"outputs chunk at byte {chunk.ByteOffset} is out of order or outside the tensor");
            chunk.Data.Span.CopyTo(buffer.AsSpan((int)chunk.ByteOffset));
            have += chunk.Data.Length;
            received(chunk.Data.Length);
        }
        if (buffer is null || have != buffer.Length) throw Invalid($"outputs of shard {header.Key.Shard} are incomplete");
        var values = MemoryMarshal.Cast<byte, float>(buffer).ToArray();
        if (values.Length > 0 && !TensorPrimitives.IsFiniteAll(values)) throw Invalid($"outputs of shard {header.Key.Shard} contain NaN or infinity");
        return (values, shape);
    }

    private static RpcException Invalid(string message) => ShardResultStreams.Invalid(message);
}
