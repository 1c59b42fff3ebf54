using System.Net;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Coordinator.Services;
using MetaCluster.TaskWorker.DataPlane;
using MetaCluster.TaskWorker.Hosting;
using MetaCluster.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Hosting;
using MetaCluster.ServiceDefaults.Hosting;
using MetaCluster.Coordinator.Hosting;
using MetaCluster.DataPlane.Transport;
using MetaCluster.Abstractions;
using MetaCluster.Learning.Devices;

namespace MetaCluster.Embedded;

/// <summary>Settings of an in-process cluster.</summary>
/// <param name="Workers">Worker grains.</param>
/// <param name="Device">Their torch device.</param>
/// <param name="Threads">libtorch intra-op threads (0: the default).</param>
/// <param name="LogLevel">Least level logged to the console.</param>
/// <param name="MetricsPort">A loopback HTTP port serving <c>/metrics</c> (Prometheus) and <c>/healthz</c>; none when null.</param>
/// <param name="ConsoleTraces">Print finished spans on the console.</param>
/// <param name="InProcessDataPlane">
/// Workers call the data plane's service directly (same messages, same code, no HTTP/2 on loopback)
/// instead of over gRPC; off by default, so that tests of the embedded cluster exercise the wire.
/// </param>
public sealed record EmbeddedClusterOptions(
    int Workers, string Device = "cpu", int Threads = 0, LogLevel LogLevel = LogLevel.Warning, int? MetricsPort = null, bool ConsoleTraces = false,
    bool InProcessDataPlane = false)
{
    /// <summary>
    /// The device of each worker (<see cref="WorkerDevices.Assign"/>: one per GPU for <c>cuda</c>);
    /// null puts every worker on <see cref="Device"/>.
    /// </summary>
    public IReadOnlyList<string>? Devices { get; init; }

    /// <summary>The device of each worker: <see cref="Devices"/>, or <see cref="Device"/> spread over the GPUs libtorch sees.</summary>
    public IReadOnlyList<string> PlaceWorkers() =>
        Devices ?? WorkerDevices.Assign(Device, Workers, Device == "cpu" ? 0 : ComputeDevices.CudaDeviceCount());

    /// <summary>Changes the cluster's services after the product registered them (tests wrap them, e.g. to inject faults).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }
}

/// <summary>
/// A whole cluster in one process: an Orleans silo with localhost clustering hosting the run
/// grains and <c>Workers</c> worker grains, and the gRPC data plane on a loopback port. Tensors
/// travel over gRPC, exactly as between processes, unless <see cref="EmbeddedClusterOptions.InProcessDataPlane"/>
/// hands the same messages to the service in memory.
/// </summary>
public sealed class EmbeddedCluster : IAsyncDisposable
{
    private readonly WebApplication app;

    private EmbeddedCluster(WebApplication app) => this.app = app;

    /// <summary>The cluster's grains.</summary>
    public IGrainFactory Grains => app.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The coordinator's services.</summary>
    public IServiceProvider Services => app.Services;

    /// <summary>Where workers reach the data plane.</summary>
    public string DataPlaneUrl => app.Services.GetRequiredService<DataPlaneEndpoint>().Url;

    /// <summary>Starts the cluster and waits until its workers have registered.</summary>
    public static async Task<EmbeddedCluster> StartAsync(EmbeddedClusterOptions options, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(options.LogLevel);
        builder.Logging.AddFilter("Orleans", options.LogLevel < LogLevel.Warning ? options.LogLevel : LogLevel.Error);
        builder.Logging.AddFilter("Microsoft", options.LogLevel < LogLevel.Warning ? options.LogLevel : LogLevel.Error);
        builder.WebHost.ConfigureKestrel(k =>
        {
            DataPlaneKestrel.Configure(k);
            k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2);
            if (options.MetricsPort is { } metricsPort) k.Listen(IPAddress.Loopback, metricsPort);
        });
        builder.AddClusterTelemetry(new TelemetrySettings("metacluster-coordinator", options.ConsoleTraces, PrometheusEndpoint: options.MetricsPort is not null));

        string clusterId = $"embedded-{Guid.NewGuid():N}";
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(FreePorts.Next(), FreePorts.Next(), serviceId: "metacluster", clusterId: clusterId)
            .AddActivityPropagation()
            .HostOnly(CoordinatorServiceCollectionExtensions.GrainClasses, TaskWorkerHostingExtensions.GrainClasses));
        builder.Services.AddCoordinator();
        builder.Services.AddTaskWorkers(w =>
        {
            w.Workers = options.Workers;
            w.Device = options.Device;
            w.Devices = options.PlaceWorkers();
            w.Threads = options.Threads;
            w.WorkerIdPrefix = "embedded";
        });

        if (options.InProcessDataPlane)
            builder.Services.AddSingleton(services => new InProcessDataPlane(
                () => services.GetRequiredService<DataPlaneEndpoint>().Url,
                () => new InProcessDataPlaneInvoker(ActivatorUtilities.CreateInstance<DataPlaneService>(services))));

        options.ConfigureServices?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapGrpcService<DataPlaneService>();
        if (options.MetricsPort is { } port)
        {
            app.MapMetricsEndpoint(port);
            app.MapGet("/healthz", () => Results.Text("ok")).RequireHost($"*:{port}");
        }
        // Kestrel must listen before workers can be told where the data plane is; the hosted
        // services (silo, then workers) start inside StartAsync, and grains only reach the data
        // plane when a run starts, after this method returns.
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        app.Services.GetRequiredService<DataPlaneEndpoint>().Url = address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal);
        return new EmbeddedCluster(app);
    }

    /// <summary>
    /// Starts <paramref name="run"/> on this cluster and waits for its end, passing each status to
    /// <paramref name="progress"/> (every 200 ms); cancelling asks the run to stop.
    /// </summary>
    public async Task<RunStatus> RunToEndAsync(RunDefinition run, Action<RunStatus>? progress = null, CancellationToken cancellationToken = default)
    {
        string runId = $"run-{Guid.NewGuid():N}"[..16];
        var grain = Grains.GetGrain<IMetaRunGrain>(runId);
        var status = await grain.StartAsync(run);
        using var stopOnCancel = cancellationToken.Register(() => grain.StopAsync());
        while (!status.IsFinished)
        {
            await Task.Delay(200, CancellationToken.None);
            status = await grain.GetStatusAsync();
            progress?.Invoke(status);
        }
        return status;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
