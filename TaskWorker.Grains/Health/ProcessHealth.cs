using MetaCluster.ServiceDefaults.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace MetaCluster.TaskWorker.Health;

/// <summary>
/// The worker's gRPC port is the relay's own small server: its grpc.health.v1 answers run the
/// process's health checks (the same instances as /healthz/ready), not copies of their own.
/// </summary>
public static class ProcessHealth
{
    /// <summary>
    /// Registers grpc.health.v1 in <paramref name="target"/> over the checks registered in
    /// <paramref name="process"/>; false (nothing registered) when the process has none (the embedded cluster).
    /// </summary>
    public static bool ShareWith(IServiceProvider process, IServiceCollection target)
    {
        var registrations = process.GetService<IOptions<HealthCheckServiceOptions>>()?.Value.Registrations;
        if (registrations is null || registrations.Count == 0) return false;
        var checks = target.AddGrpcHealthChecks(HealthEndpoints.MapServices);
        foreach (var r in registrations)
            checks.Add(new HealthCheckRegistration(r.Name, _ => r.Factory(process), r.FailureStatus, r.Tags, r.Timeout));
        return true;
    }
}
