using MetaCluster.Bench.Loopback;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.TaskWorker.DataPlane;
using MetaCluster.TaskWorker.Execution;
using MetaCluster.DataPlane.Wire;

namespace MetaCluster.Bench.Wire;

/// <summary>Bytes counted on the worker's connection for one parameter fetch and one shard result.</summary>
public sealed record WireSample(long ParametersRead, long ParametersWritten, long GradientWritten, long GradientRead, long HeaderBytes);

/// <summary>
/// One meta-step between a worker and the coordinator, as a run has it, with the bytes on the
/// connection counted: the coordinator publishes θ and opens the step; the worker's parameter
/// cache fetches θ; the worker's result sender streams a shard's header and gradient; the
/// coordinator folds it in. The shard looks like a sinusoid shard of 12 tasks (their losses, and
/// 40-wide task embeddings when the runner sends them); its gradient has P elements.
/// </summary>
public sealed class WireExchange(LoopbackDataPlane plane, ConnectionBytes counter, ParameterCache cache, ShardResultSender sender)
{
    private const int Tasks = 12;
    private readonly string runId = $"wire-{Guid.NewGuid():N}"[..16];
    private long step;

    /// <summary>Runs one exchange with a P-element gradient sent as <paramref name="wireType"/>.</summary>
    public async Task<WireSample> RunAsync(int elements, DType wireType, CancellationToken cancellationToken)
    {
        long version = step++;
        var random = new Random((int)version);
        var theta = new float[elements];
        var gradient = new float[elements];
        for (int i = 0; i < elements; i++)
        {
            theta[i] = (float)(random.NextDouble() - 0.5);
            gradient[i] = (float)((random.NextDouble() - 0.5) * Math.Exp(random.NextDouble() * 8 - 8));
        }
        plane.Publisher.Publish(runId, version, theta);
        var collector = plane.Inbox.Open(runId, version, ShardResultHeader.ResultOneofCase.Train, shards: 1, elements);
        // The assignment's secret, as a worker holds it: its read of θ and its result both carry it.
        var secret = plane.Secrets.Issue(runId, version);
        collector.Assign(0, attempt: 0, secret);
        try
        {
            long read0 = counter.Read, written0 = counter.Written;
            using (var fetched = await cache.GetAsync(plane.Url, runId, version, Google.Protobuf.ByteString.CopyFrom(secret), TorchSharp.torch.CPU, cancellationToken))
            {
                if (fetched.numel() != elements) throw new InvalidDataException($"fetched {fetched.numel()} parameters, published {elements}");
            }
            long read1 = counter.Read, written1 = counter.Written;

            // A training shard's header as a worker sends it: its tasks, their losses and metrics.
            var header = new ShardResultHeader { Key = new ShardKey { RunId = runId, Step = version, Shard = 0, Attempt = 0 }, WorkerId = "wire/cpu/0", ComputeSeconds = 0.01, Train = new TrainResult(),
                AssignmentSecret = Google.Protobuf.ByteString.CopyFrom(secret) };
            header.TaskIndices.AddRange(Enumerable.Range(0, Tasks).Select(i => (long)i));
            header.Train.TaskLosses.AddRange(Enumerable.Repeat(0.5, Tasks));
            header.Train.TaskMetrics.AddRange(Enumerable.Repeat(0.5, Tasks));
            byte[] bytes = GradientCodec.Encode(gradient, wireType, out long saturated);
            header.Train.GradientSaturated = saturated;
            var ack = await sender.SendAsync(plane.Url, header, bytes, cancellationToken, gradientType: wireType);
            long read2 = counter.Read, written2 = counter.Written;

            if (ack.Outcome != ShardResultAck.Types.Outcome.Accepted || collector.Gradient is not { IsComplete: true } sum)
                throw new InvalidOperationException($"the shard result was not folded in ({ack.Outcome})");
            var expected = new float[elements];
            GradientCodec.Decode(bytes, wireType, expected);
            using (var folded = sum.TakeSum())
                if (!folded.Values.AsSpan().SequenceEqual(expected)) throw new InvalidDataException("the folded gradient differs from the one sent");
            return new WireSample(read1 - read0, written1 - written0, written2 - written1, read2 - read1, header.CalculateSize());
        }
        finally
        {
            plane.Inbox.Close(collector);
        }
    }
}
