using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;

namespace MetaCluster.ServiceDefaults.Telemetry;

/// <summary>How a host reports telemetry.</summary>
/// <param name="ServiceName">The OpenTelemetry <c>service.name</c> (overridden by <c>OTEL_SERVICE_NAME</c>).</param>
/// <param name="ConsoleTraces">Print finished spans on the console (also on with <c>OTEL_TRACES_EXPORTER=console</c>).</param>
/// <param name="PrometheusEndpoint">Collect metrics for a <c>/metrics</c> scrape endpoint (see <see cref="TelemetryExtensions.MapMetricsEndpoint"/>).</param>
public sealed record TelemetrySettings(string ServiceName, bool ConsoleTraces = false, bool PrometheusEndpoint = true);

/// <summary>
/// The cluster's service defaults (the eShop ServiceDefaults habit): OpenTelemetry tracing, metrics
/// and logs for every host, the OTLP exporter (all three signals) only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set
/// (the other standard <c>OTEL_*</c> variables are honoured by the exporter), a Prometheus scrape
/// endpoint on the metrics port, and a console span exporter on demand.
/// </summary>
public static class TelemetryExtensions
{
    /// <summary>The meter of Orleans' own instruments (grain calls, messaging, membership, activations).</summary>
    public const string OrleansMeterName = "Microsoft.Orleans";

    /// <summary>
    /// Wires tracing, metrics and logs for this host. Spans are collected only when something exports
    /// them (OTLP or the console): a plain <c>train</c> creates none. Logs go over OTLP with the trace
    /// and span ids of the span they were written in.
    /// </summary>
    public static IHostApplicationBuilder AddClusterTelemetry(this IHostApplicationBuilder builder, TelemetrySettings settings)
    {
        var configuration = builder.Configuration;
        bool otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        bool console = settings.ConsoleTraces
            || (configuration["OTEL_TRACES_EXPORTER"] ?? "").Split(',').Any(e => e.Trim().Equals("console", StringComparison.OrdinalIgnoreCase));

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] ?? settings.ServiceName,
                serviceVersion: ServiceVersion, serviceInstanceId: $"{Environment.MachineName}-{Environment.ProcessId}"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ClusterTelemetry.MeterName, OrleansMeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();
                if (settings.PrometheusEndpoint) metrics.AddPrometheusExporter();
            });
        if (otlp || console)
            telemetry.WithTracing(tracing =>
            {
                tracing.SetSampler(TraceSampling.FromConfiguration(configuration))
                    .AddSource(ClusterTelemetry.CoordinatorSourceName, ClusterTelemetry.TaskWorkerSourceName, ClusterTelemetry.LearningSourceName)
                    // Grain calls (Orleans activity propagation); the runtime's own spans (membership, directory) stay out.
                    .AddSource(ActivitySources.ApplicationGrainActivitySourceName)
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsScrapeOrProbe(http.Request.Path))
                    // The gRPC client's call span sits between ours and the HTTP request's.
                    .AddSource("Grpc.Net.Client")
                    .AddHttpClientInstrumentation();
                if (console) tracing.AddConsoleExporter();
            });
        if (otlp)
        {
            telemetry.WithLogging(configureBuilder: null, configureOptions: logging =>
            {
                logging.IncludeFormattedMessage = true;
                logging.IncludeScopes = true;
            });
            telemetry.UseOtlpExporter();
        }
        return builder;
    }

    /// <summary>The OpenTelemetry <c>service.version</c>: the product's informational version (with the commit when the build knows it).</summary>
    public static string ServiceVersion { get; } =
        typeof(TelemetryExtensions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(TelemetryExtensions).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    /// <summary>Maps the Prometheus scrape endpoint <c>/metrics</c>, answering only on the metrics port.</summary>
    public static IEndpointConventionBuilder MapMetricsEndpoint(this IEndpointRouteBuilder endpoints, int metricsPort) =>
        endpoints.MapPrometheusScrapingEndpoint("/metrics").RequireHost($"*:{metricsPort}");

    private static bool IsScrapeOrProbe(Microsoft.AspNetCore.Http.PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/healthz");
}
