using System.Text;
using Grpc.AspNetCore.HealthChecks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MetaCluster.ServiceDefaults.Health;

/// <summary>
/// The cluster's health endpoints, on ASP.NET Core health checks: <c>/healthz/live</c> (checks
/// tagged <see cref="HealthTags.Live"/>), <c>/healthz/ready</c> and <c>/healthz</c> (tagged
/// <see cref="HealthTags.Ready"/>), and the same two answers over <c>grpc.health.v1.Health</c>
/// (service "" and <c>readiness</c>: ready; <c>liveness</c>: live). Not ready answers 503 with one
/// line per failing check.
/// </summary>
public static class HealthEndpoints
{
    /// <summary>The gRPC health service name of the liveness answer.</summary>
    public const string LivenessService = "liveness";

    /// <summary>The gRPC health service name of the readiness answer (also the server's overall status, service "").</summary>
    public const string ReadinessService = "readiness";

    /// <summary>
    /// Registers the checks every silo process has: <c>process</c> (live: it answers) and <c>silo</c>
    /// (ready: active in membership). Add the role's own ready checks to the returned builder.
    /// </summary>
    public static IHealthChecksBuilder AddClusterHealthChecks(this IServiceCollection services) =>
        services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy("the process answers"), tags: [HealthTags.Live])
            .AddCheck<SiloActiveHealthCheck>("silo", tags: [HealthTags.Ready]);

    /// <summary>Adds the ready check that the Redis membership store answers (the coordinator's).</summary>
    public static IHealthChecksBuilder AddRedisCheck(this IHealthChecksBuilder checks)
    {
        checks.Services.AddSingleton<RedisHealthCheck>();
        return checks.AddCheck<RedisHealthCheck>("redis", tags: [HealthTags.Ready]);
    }

    /// <summary>Maps the grpc.health.v1 answers onto the checks' tags (the gRPC health package's own options).</summary>
    public static void MapServices(GrpcHealthChecksOptions options)
    {
        options.Services.Clear();
        options.Services.Map("", c => c.Tags.Contains(HealthTags.Ready));
        options.Services.Map(ReadinessService, c => c.Tags.Contains(HealthTags.Ready));
        options.Services.Map(LivenessService, c => c.Tags.Contains(HealthTags.Live));
    }

    /// <summary>Maps <c>/healthz/live</c>, <c>/healthz/ready</c> and <c>/healthz</c> (ready, for older probes and scripts).</summary>
    public static IEndpointRouteBuilder MapClusterHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz/live", Answer(HealthTags.Live));
        endpoints.MapHealthChecks("/healthz/ready", Answer(HealthTags.Ready));
        endpoints.MapHealthChecks("/healthz", Answer(HealthTags.Ready));
        return endpoints;
    }

    private static HealthCheckOptions Answer(string tag) => new()
    {
        Predicate = check => check.Tags.Contains(tag),
        ResponseWriter = WriteText,
        // Degraded is not used; anything but healthy keeps the process out of rotation.
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        },
    };

    // "ok" when healthy (what scripts grep for); otherwise one line per check that is not, with its reason.
    private static Task WriteText(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        if (report.Status == HealthStatus.Healthy) return context.Response.WriteAsync("ok");
        var text = new StringBuilder();
        foreach (var (name, entry) in report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy))
            text.Append(name).Append(": ").AppendLine(entry.Description ?? entry.Exception?.Message ?? entry.Status.ToString());
        return context.Response.WriteAsync(text.ToString());
    }
}
