using MetaCluster.ServiceDefaults.Health;

namespace MetaCluster.TaskWorker.Health;

/// <summary>The worker process's own ready checks, on top of the silo's.</summary>
public static class WorkerHealthExtensions
{
    /// <summary>Adds <c>registration</c> (the registry knows the workers) and <c>device</c> (it computes), both ready checks.</summary>
    public static IHealthChecksBuilder AddWorkerChecks(this IHealthChecksBuilder checks)
    {
        checks.Services.AddSingleton<RegistrationHealthCheck>();
        checks.Services.AddSingleton<DeviceHealthCheck>();
        return checks
            .AddCheck<RegistrationHealthCheck>("registration", tags: [HealthTags.Ready])
            .AddCheck<DeviceHealthCheck>("device", tags: [HealthTags.Ready]);
    }
}
