namespace MetaCluster.Tests.Benchmarks;

/// <summary>
/// The suites start a data plane and simulated worker processes that want the machine's two cores:
/// they run one after another, and alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BenchCollection
{
    public const string Name = "bench";
}
