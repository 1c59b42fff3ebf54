using MetaCluster.Bench.Capacity;
using MetaCluster.Bench.Loopback;
using MetaCluster.Bench.Simulated;
using MetaCluster.DataPlane.Reduction;
using MetaCluster.DataPlane.Wire;
using MetaCluster.Learning.Optimisation;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.Tests.Benchmarks;

/// <summary>
/// The capacity run drives the product's meta-step (its rounds, attempt loop, collectors and
/// <c>RunParameters</c>) against the simulated workers: θ at the end is, bit for bit, what Adam
/// makes of the simulated gradients summed as the topology sums them, and a failed assignment is
/// retried by the real attempt loop without changing a bit of it.
/// </summary>
[Collection(BenchCollection.Name)]
public sealed class CapacityRoundsTests
{
    // Not a multiple of any vector width: Adam's and the sums' scalar tails are covered too.
    private const int Elements = 3_001;

    [Theory]
    [InlineData(4, 1, 1, "f32")]
    [InlineData(8, 2, 1, "f32")]
    [InlineData(8, 2, 1, "bf16")]
    [InlineData(8, 2, 4, "f32")] // one relay for the whole step: it replays Adam rather than fetching θ
    [InlineData(12, 2, 2, "bf16")] // three relays, each fetching θ
    public async Task ThetaAfterTheRunIsAdamOfTheSimulatedGradientSum(int workers, int group, int tree, string dtype)
    {
        var point = new CapacityPoint(Elements, workers, GradientCodec.Parse(dtype), ReduceGroup: group, ReduceTree: tree);
        var probe = new CapacityRunProbe();
        await using var plane = await LoopbackDataPlane.StartAsync(TestContext.Current.CancellationToken);

        var m = await CapacityRun.MeasureAsync(plane, point, warmup: 1, steps: 2, TestContext.Current.CancellationToken, probe: probe);

        Assert.Equal(3, probe.Steps);
        Assert.Equal(0, probe.Retries);
        Assert.Equal(2, m.StepSeconds.Count);
        Assert.Equal(Expected(point, probe.Steps), probe.FinalTheta);
        // One result per unit reached the coordinator: a group's, or a relay's for its super-group.
        Assert.Equal(point.Results * (long)Elements * GradientCodec.ElementBytes(point.WireType), m.WireBytesPerStep);
        Assert.Equal(point.ReplaysUpdate ? 0 : (long)Elements * sizeof(float) * (tree > 1 ? point.Results : workers), m.ParameterBytesPerStep);
    }

    [Theory]
    [InlineData(4, 1, 1)]
    [InlineData(8, 2, 4)] // the failed group's super-group runs again at a new relay session
    public async Task AnAssignmentThatFailsIsRetriedByTheAttemptLoopAndChangesNothing(int workers, int group, int tree)
    {
        var point = new CapacityPoint(Elements, workers, DType.Float32, ReduceGroup: group, ReduceTree: tree);
        var probe = new CapacityRunProbe { FailOnce = (1, 2) };
        await using var plane = await LoopbackDataPlane.StartAsync(TestContext.Current.CancellationToken);

        await CapacityRun.MeasureAsync(plane, point, warmup: 1, steps: 2, TestContext.Current.CancellationToken, probe: probe);

        Assert.Equal(1, probe.Retries);
        Assert.Equal(Expected(point, probe.Steps), probe.FinalTheta);
    }

    // θ after `steps` Adam updates, each with the step's gradient sum over W, computed here: each
    // unit's sum in shard order (a group's members, then a relay's groups), as the coordinator
    // folds it after the wire type's rounding, then the units' sums in unit order.
    private static float[] Expected(CapacityPoint point, int steps)
    {
        var values = SimulatedGradient.ValuesOf(Elements);
        int units = point.Results, groups = point.ReduceTree;
        var groupSum = OrderedGradientSum.Of(Enumerable.Repeat(values, point.ReduceGroup).ToArray());
        var unitSum = groups > 1 ? OrderedGradientSum.Of(Enumerable.Repeat(groupSum, groups).ToArray()) : groupSum;
        var folded = new float[Elements];
        GradientCodec.Decode(GradientCodec.Encode(unitSum, point.WireType, out _), point.WireType, folded);
        var sum = OrderedGradientSum.Of(Enumerable.Repeat(folded, units).ToArray());

        Assert.Equal(0, point.Workers % point.WorkersPerResult); // every unit is whole: the same sum each
        var theta = CapacityRun.InitialTheta(Elements);
        float[] m = new float[Elements], v = new float[Elements];
        for (int step = 1; step <= steps; step++)
            Adam.Update(theta, sum, point.Workers, m, v, new AdamSettings(CapacityRun.OuterLr), step);
        return theta;
    }
}
