using MetaCluster.Bench.Capacity;
using MetaCluster.Bench.GradCheck;
using MetaCluster.Bench.Scaling;
using MetaCluster.Bench.Throughput;
using MetaCluster.Bench.Wire;

namespace MetaCluster.Bench;

/// <summary>The suites the <c>bench</c> verb knows; a new suite is one more line here.</summary>
public static class BenchSuiteCatalog
{
    /// <summary>Every suite, in the order <c>--suite all</c> runs them.</summary>
    public static IReadOnlyList<IBenchSuite> All { get; } =
    [
        new ThroughputSuite(),
        new ScalingSuite(),
        new CapacitySuite(),
        new WireSuite(),
        new GradCheckSuite(),
    ];

    /// <summary>The names accepted by <c>--suite</c> (besides <c>all</c>).</summary>
    public static IReadOnlyList<string> Names => All.Select(s => s.Name).ToArray();

    /// <summary>The suite called <paramref name="name"/>, or null.</summary>
    public static IBenchSuite? Find(string name) => All.FirstOrDefault(s => s.Name == name);
}
