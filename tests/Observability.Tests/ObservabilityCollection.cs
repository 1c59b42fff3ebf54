namespace MetaCluster.Tests.Observability;

/// <summary>
/// These tests start real processes (the dashboard, Redis, the coordinator, workers) that want the
/// machine's cores: one at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ObservabilityCollection
{
    public const string Name = "observability";
}
