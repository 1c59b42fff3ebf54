namespace MetaCluster.Coordinator.Definitions;

/// <summary>
/// What one run may ask of a cluster, checked when the run is defined so that no single request can
/// exhaust the coordinator or its workers (a meta-batch of a million tasks in a million shards, a
/// megabyte-long option). <c>serve</c> takes them from its options; <c>train</c> uses the defaults.
/// </summary>
/// <param name="MaxTasksPerStep">Largest meta-batch (and evaluation round).</param>
/// <param name="MaxShards">Most shards per step: each is a grain call, a result and, at the coordinator, possibly a buffer.</param>
/// <param name="MaxTextLength">Longest string field (a path, a class name).</param>
/// <param name="MaxListItems">Most items of a list field (data sources, eval groups, eval inner steps).</param>
/// <param name="MemoryBudgetBytes">The coordinator memory one run may need, by <see cref="RunDataChecks"/>' estimate.</param>
public sealed record RunLimits(int MaxTasksPerStep = 100_000, int MaxShards = 10_000, int MaxTextLength = 4_096, int MaxListItems = 1_000,
    long MemoryBudgetBytes = 8L << 30)
{
    /// <summary>The defaults.</summary>
    public static RunLimits Default { get; } = new();
}
