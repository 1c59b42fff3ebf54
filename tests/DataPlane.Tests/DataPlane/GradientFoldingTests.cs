using System.Numerics.Tensors;
using MetaCluster.DataPlane.Reduction;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.DataPlane.Wire;

namespace MetaCluster.Tests.DataPlane;

public sealed class GradientFoldingTests
{
    private static float[][] Gradients(int shards, int elements, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, shards).Select(_ => Enumerable.Range(0, elements).Select(_ => (float)(random.NextDouble() * 2 - 1) * 1e3f).ToArray()).ToArray();
    }

    private static float[] InShardOrder(float[][] gradients)
    {
        var sum = (float[])gradients[0].Clone();
        foreach (var g in gradients.Skip(1)) TensorPrimitives.Add(sum, g, sum);
        return sum;
    }

    private static void Send(OrderedGradientSum sum, int shard, float[] gradient, DType wireType, int chunkBytes)
    {
        using var sink = sum.Begin(shard);
        using var reader = new GradientChunkReader(sink);
        foreach (var chunk in TensorWire.Chunk("gradient", [gradient.Length], GradientCodec.Encode(gradient, wireType, out _), chunkBytes, wireType))
            reader.Add(chunk);
        reader.Complete();
    }

    [Fact]
    public void ShardsArrivingInAnyOrderSumInShardOrderAndPooledBuffersCarryNothingOver()
    {
        var pool = new GradientBufferPool();
        foreach (int step in new[] { 0, 1 })
        {
            var gradients = Gradients(shards: 5, elements: 1_003, seed: step);
            var sum = new OrderedGradientSum(5, 1_003, pool);
            // Shard 3 and 1 start before shard 0 and wait in pooled buffers; 0 folds directly.
            var sinks = new[] { 3, 1, 0, 4, 2 }.Select(s => (Shard: s, Sink: sum.Begin(s))).ToArray();
            foreach (var (shard, sink) in sinks.Reverse())
            {
                sink.Add(0, gradients[shard]);
                sink.Complete();
                sink.Dispose();
            }
            Assert.True(sum.IsComplete);
            using var folded = sum.TakeSum();
            Assert.Equal(InShardOrder(gradients), folded.Values);
        }
        Assert.True(pool.RetainedBytes > 0, "folded buffers went back to the pool");
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Bfloat16)]
    [InlineData(DType.Float16)]
    public void ChunksOfEveryWireTypeFoldToTheDecodedValues(DType wireType)
    {
        var gradients = Gradients(shards: 3, elements: 10_001, seed: 7);
        var sum = new OrderedGradientSum(3, 10_001);
        foreach (int shard in new[] { 2, 0, 1 }) Send(sum, shard, gradients[shard], wireType, chunkBytes: 4_096);

        var decoded = gradients.Select(g =>
        {
            var d = new float[g.Length];
            GradientCodec.Decode(GradientCodec.Encode(g, wireType, out _), wireType, d);
            return d;
        }).ToArray();
        using var folded = sum.TakeSum();
        Assert.Equal(InShardOrder(decoded), folded.Values);
    }

    [Fact]
    public void ANonFiniteValueAWrongSizeOrAWrongTypeIsRejectedBeforeItIsFolded()
    {
        var sum = new OrderedGradientSum(2, 100);
        var bad = new float[100];
        bad[57] = float.NaN;
        var nan = Assert.Throws<InvalidDataException>(() => Send(sum, 1, bad, DType.Bfloat16, 64));
        Assert.Contains("NaN", nan.Message);

        using (var sink = sum.Begin(0))
        using (var reader = new GradientChunkReader(sink))
        {
            var tooShort = TensorWire.Chunk("gradient", [50], new byte[200]).Single();
            Assert.Contains("100 elements", Assert.Throws<InvalidDataException>(() => reader.Add(tooShort)).Message);
            var doubles = new TensorChunk { Dtype = DType.Float64, TotalBytes = 800, Data = Google.Protobuf.ByteString.CopyFrom(new byte[800]) };
            Assert.Contains("Float64", Assert.Throws<InvalidDataException>(() => reader.Add(doubles)).Message);
        }
        // Shard 0 streamed straight into the sum and ended early: as for any broken direct stream, the step is recomputed.
        Assert.True(sum.IsCorrupted);
    }
}
