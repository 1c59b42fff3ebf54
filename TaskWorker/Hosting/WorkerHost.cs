using MetaCluster.ServiceDefaults.Health;
using MetaCluster.ServiceDefaults.Telemetry;
using MetaCluster.ServiceDefaults.Hosting;
using MetaCluster.TaskWorker.Health;

namespace MetaCluster.TaskWorker.Hosting;

/// <summary>
/// The TaskWorker process: a silo that joins the cluster and hosts the workers of one device, plus
/// /metrics and the health endpoints on the metrics port (ready: silo active, workers registered,
/// device computes) and grpc.health.v1 on the relay's port.
/// </summary>
public static class WorkerHost
{
    /// <summary>Builds the host; run it until SIGTERM.</summary>
    public static WebApplication Build(WorkerCommandLine options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.AddServiceConsole();
        // A draining worker finishes its shard within the graceful part of the stop; a longer one is
        // abandoned and reassigned by the coordinator.
        StopDeadline.Configure(builder.Services);
        builder.WebHost.ConfigureKestrel(k => k.Listen(options.BindAddress, options.MetricsPort));

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
            w.TlsClientCertificate = options.Workers.TlsClientCertificate;
            w.TlsClientKey = options.Workers.TlsClientKey;
            w.TlsCa = options.Workers.TlsCa;
        });

        builder.Services.AddClusterHealthChecks().AddWorkerChecks();

        var app = builder.Build();
        app.MapClusterHealth();
        app.MapMetricsEndpoint(options.MetricsPort);
        StopDeadline.Arm(app);
        return app;
    }
}
