namespace MetaCluster.Abstractions;

/// <summary>A worker grain and where it runs.</summary>
/// <param name="WorkerId">The worker grain's id.</param>
/// <param name="Device">Its torch device.</param>
/// <param name="Silo">Its silo's address (parsable form).</param>
/// <param name="Proof">
/// HMAC-SHA256 of the worker id and silo under the cluster token (hex), so that a process without
/// the token cannot join a token cluster through Redis and be sent shards; empty without a token.
/// </param>
[GenerateSerializer, Immutable, Alias("MetaCluster.WorkerRegistration")]
public sealed record WorkerRegistration(
    [property: Id(0)] string WorkerId,
    [property: Id(1)] string Device,
    [property: Id(2)] string Silo,
    [property: Id(3)] string Proof = "");
