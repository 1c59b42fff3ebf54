namespace MetaCluster.Abstractions;

/// <summary>A worker grain and where it runs.</summary>
[GenerateSerializer, Immutable, Alias("MetaCluster.WorkerRegistration")]
public sealed record WorkerRegistration(
    [property: Id(0)] string WorkerId,
    [property: Id(1)] string Device,
    [property: Id(2)] string Silo);
