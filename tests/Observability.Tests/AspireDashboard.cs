using System.Globalization;
using System.Reflection;
using MetaCluster.ServiceDefaults.Hosting;

namespace MetaCluster.Tests.Observability;

/// <summary>
/// The Aspire Dashboard's self-contained executable (NuGet <c>Aspire.Dashboard.Sdk.linux-x64</c>,
/// restored with this project) on free loopback ports, with its UI, OTLP receivers and telemetry API
/// unsecured (loopback only). Killed on dispose.
/// </summary>
public sealed class AspireDashboard : IAsyncDisposable
{
    private readonly ManagedProcess process;

    private AspireDashboard(ManagedProcess process, int ui, int otlpGrpc, int otlpHttp)
    {
        this.process = process;
        Url = $"http://127.0.0.1:{ui}";
        OtlpGrpcUrl = $"http://127.0.0.1:{otlpGrpc}";
        OtlpHttpUrl = $"http://127.0.0.1:{otlpHttp}";
    }

    /// <summary>The executable restored from NuGet (its path is written into this assembly at build time).</summary>
    public static string Executable { get; } = typeof(AspireDashboard).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "AspireDashboard").Value!;

    /// <summary>The web UI and the telemetry API.</summary>
    public string Url { get; }

    /// <summary>The OTLP/gRPC receiver, for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public string OtlpGrpcUrl { get; }

    /// <summary>The OTLP/HTTP receiver.</summary>
    public string OtlpHttpUrl { get; }

    /// <summary>What the dashboard printed.</summary>
    public string Output => process.Output;

    /// <summary>Starts the dashboard and waits until its receivers listen.</summary>
    public static async Task<AspireDashboard> StartAsync(TimeSpan timeout)
    {
        if (!File.Exists(Executable)) throw new FileNotFoundException($"no Aspire Dashboard at {Executable}: restore the test project", Executable);
        int ui = FreePorts.Next(), grpc = FreePorts.Next(), http = FreePorts.Next();
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ui}",
            ["DASHBOARD__OTLP__GRPCENDPOINTURL"] = $"http://127.0.0.1:{grpc}",
            ["DASHBOARD__OTLP__HTTPENDPOINTURL"] = $"http://127.0.0.1:{http}",
            ["DASHBOARD__FRONTEND__AUTHMODE"] = "Unsecured",
            ["DASHBOARD__OTLP__AUTHMODE"] = "Unsecured",
            ["DASHBOARD__API__AUTHMODE"] = "Unsecured",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };
        var process = ManagedProcess.Start("aspire-dashboard", Executable, [], environment: environment);
        var dashboard = new AspireDashboard(process, ui, grpc, http);
        try
        {
            await process.WaitForOutputAsync("OTLP/gRPC listening on", timeout);
            return dashboard;
        }
        catch
        {
            await dashboard.DisposeAsync();
            throw;
        }
    }

    /// <summary>The variables that make a process export to this dashboard over OTLP/gRPC, every second.</summary>
    public IReadOnlyDictionary<string, string?> ExportEnvironment() => new Dictionary<string, string?>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = OtlpGrpcUrl,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = 1000.ToString(CultureInfo.InvariantCulture),
        ["OTEL_BSP_SCHEDULE_DELAY"] = 500.ToString(CultureInfo.InvariantCulture),
        ["OTEL_BLRP_SCHEDULE_DELAY"] = 500.ToString(CultureInfo.InvariantCulture),
    };

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => process.DisposeAsync();
}
