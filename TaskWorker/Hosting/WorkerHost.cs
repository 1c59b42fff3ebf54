using System.Net;
using MetaCluster.ServiceDefaults.Telemetry;
using MetaCluster.ServiceDefaults.Hosting;

namespace MetaCluster.TaskWorker.Hosting;

/// <summary>The TaskWorker process: a silo that joins the cluster and hosts the workers of one device, plus /healthz.</summary>
public static class WorkerHost
{
    /// <summary>Builds the host; run it until SIGTERM.</summary>
    public static WebApplication Build(WorkerCommandLine options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.AddServiceConsole();
        // A draining worker may need to finish a long shard before it leaves.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
        var bind = IPAddress.IsLoopback(options.Membership.AdvertiseAddress) ? options.Membership.AdvertiseAddress : IPAddress.Any;
        builder.WebHost.ConfigureKestrel(k => k.Listen(bind, options.MetricsPort));

        builder.AddClusterTelemetry(new TelemetrySettings("metacluster-taskworker", options.ConsoleTraces));
        builder.UseOrleans(silo =>
        {
            options.Membership.Apply(silo);
            silo.AddActivityPropagation();
            silo.HostOnly(TaskWorkerHostingExtensions.GrainClasses);
        });
        builder.Services.AddTaskWorkers(w =>
        {
            w.Device = options.Workers.Device;
            w.Workers = options.Workers.Workers;
            w.Threads = options.Workers.Threads;
            w.Token = options.Workers.Token;
            w.WorkerIdPrefix = options.Workers.WorkerIdPrefix;
            w.RelayPort = options.Workers.RelayPort;
            w.RelayAddress = options.Workers.RelayAddress;
        });

        var app = builder.Build();
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapMetricsEndpoint(options.MetricsPort);
        return app;
    }
}
