using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;

namespace MetaCluster.ServiceDefaults.Health;

/// <summary>
/// Ready only while this process's silo is active in the cluster's membership: a silo that is still
/// joining, shutting down, or that the others declared dead (after a long pause, say) gets no grain
/// calls, whatever the process thinks of itself.
/// </summary>
public sealed class SiloActiveHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(Evaluate(status));
    }

    /// <summary>Healthy for <see cref="SiloStatus.Active"/>, else why not.</summary>
    public static HealthCheckResult Evaluate(SiloStatus status) =>
        status == SiloStatus.Active
            ? HealthCheckResult.Healthy("silo is active in the cluster")
            : HealthCheckResult.Unhealthy($"silo is {status.ToString().ToLowerInvariant()}, not active in the cluster");
}
