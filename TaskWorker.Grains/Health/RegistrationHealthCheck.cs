using MetaCluster.TaskWorker.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MetaCluster.TaskWorker.Health;

/// <summary>
/// Ready only while this process's workers were announced to the coordinator's registry within
/// <see cref="WorkerStarter.AnnouncementLifetime"/>: a worker the registry refuses (no token, evicted)
/// or cannot reach is never sent work, however well its process runs.
/// </summary>
public sealed class RegistrationHealthCheck(WorkerStarter workers) : IHealthCheck
{
    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(workers.Problem is { } problem
            ? HealthCheckResult.Unhealthy(problem)
            : HealthCheckResult.Healthy($"{workers.WorkerIds.Count} worker(s) registered with the coordinator"));
}
