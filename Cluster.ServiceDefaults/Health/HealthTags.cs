namespace MetaCluster.ServiceDefaults.Health;

/// <summary>
/// The two questions an orchestrator asks a process, as health-check tags: <see cref="Live"/> (restart
/// me if not) and <see cref="Ready"/> (send me work, count me in, if so).
/// </summary>
public static class HealthTags
{
    /// <summary>The process runs and answers: <c>/healthz/live</c>, gRPC service <c>liveness</c>.</summary>
    public const string Live = "live";

    /// <summary>The process can do its part of the cluster's work: <c>/healthz/ready</c>, <c>/healthz</c>, gRPC service "" and <c>readiness</c>.</summary>
    public const string Ready = "ready";
}
