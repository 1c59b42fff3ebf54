using MetaCluster.Bench;
using MetaCluster.Bench.Capacity;
using MetaCluster.Bench.Wire;

namespace MetaCluster.Tests.Benchmarks;

/// <summary>
/// Smoke tests of the capacity and wire suites in quick mode: a real data plane, real simulated
/// worker processes and real byte counts; the figures must be there and make sense. No timing
/// thresholds: this machine's speed is not what is tested.
/// </summary>
[Collection(BenchCollection.Name)]
public sealed class CapacityAndWireSuiteTests
{
    private static BenchSettings Quick(params (string Key, string Value)[] options) =>
        new(Warmup: 1, Repetitions: 1, Threads: 1, Quick: true, OutputDirectory: Path.GetTempPath(), options.ToDictionary(o => o.Key, o => o.Value));

    [Fact]
    public async Task CapacityFiguresArePositiveForEveryPointOfTheQuickGrid()
    {
        var figures = await new CapacitySuite().RunAsync(Quick(), TextWriter.Null, CancellationToken.None);

        // 2 sizes × 2 worker counts, five figures each.
        foreach (string name in new[] { "meta-steps/s", "aggregation throughput", "coordinator CPU per step", "coordinator peak memory", "coordinator overhead" })
            Assert.Equal(4, figures.Count(f => f.Name == name));
        Assert.All(figures, f =>
        {
            Assert.Equal("capacity", f.Suite);
            Assert.True(f.Median > 0 && double.IsFinite(f.Median), $"{f.Name} {string.Join(",", f.Configuration)}: {f.Median}");
            Assert.All(f.Repetitions, r => Assert.True(r > 0 && double.IsFinite(r)));
        });
        Assert.All(figures.Where(f => f.Name == "coordinator overhead"), f => Assert.True(f.Median < 100));
        // W workers each sent 4P bytes of float32 gradient and fetched 4P bytes of parameters per step.
        foreach (var f in figures.Where(f => f.Name == "aggregation throughput"))
        {
            long p = CapacityPoint.ParseCount(f.Configuration["params"]);
            int w = int.Parse(f.Configuration["workers"], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(w * p * 4 / 1e6, f.Extra!["wire_gradient_mb_per_step"], 6);
            Assert.Equal(w * p * 4 / 1e6, f.Extra!["parameter_mb_served_per_step"], 6);
        }
    }

    [Fact]
    public async Task WireBytesAreAtLeastTheRawSizeAndCloseToItForLargeGradients()
    {
        var figures = await new WireSuite().RunAsync(Quick(), TextWriter.Null, CancellationToken.None);

        var gradients = figures.Where(f => f.Name == "gradient bytes on the wire / raw float32" && f.Configuration["grad_dtype"] == "f32").ToArray();
        Assert.Equal(["1k", "100k"], gradients.Select(f => f.Configuration["params"]));
        Assert.All(figures.Where(f => f.Configuration["grad_dtype"] == "f32" || f.Name.StartsWith("parameter", StringComparison.Ordinal)),
            f => Assert.True(f.Median >= 1, $"{f.Name} {f.Configuration["params"]}: {f.Median} < 1, fewer bytes than the raw tensor"));
        // Framing is a fixed cost per message: it shrinks relative to the tensor as the tensor grows.
        Assert.True(gradients[1].Median < gradients[0].Median);
        Assert.True(gradients[1].Median < 1.02, $"100k float32 elements cost {gradients[1].Median}× their raw size on the wire");

        // bfloat16 sends two bytes per element: about half the float32 size, never less than the encoded size.
        var halves = figures.Single(f => f.Name == "gradient bytes on the wire / raw float32" && f.Configuration["grad_dtype"] == "bf16" && f.Configuration["params"] == "100k");
        Assert.InRange(halves.Median, 0.5, 0.52);
        Assert.True(halves.Extra!["wire_over_encoded"] >= 1);
    }
}
