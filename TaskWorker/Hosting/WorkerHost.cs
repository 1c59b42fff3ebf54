using Orleans.Runtime;
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

        var app = builder.Build();
        app.MapGet("/healthz", (IClusterMembershipService membership, ILocalSiloDetails silo, WorkerStarter workers) =>
            Health(membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress), workers.Problem) is { } problem
                ? Results.Text(problem, statusCode: StatusCodes.Status503ServiceUnavailable)
                : Results.Text("ok"));
        app.MapMetricsEndpoint(options.MetricsPort);
        StopDeadline.Arm(app);
        return app;
    }

    /// <summary>
    /// Null when the worker can take shards: its silo is active in the cluster and its workers are
    /// registered with the coordinator; otherwise why not. A silo declared dead, or workers the
    /// registry refuses, are not healthy however well the process runs.
    /// </summary>
    public static string? Health(SiloStatus silo, string? registration) =>
        silo != SiloStatus.Active ? $"silo is {silo.ToString().ToLowerInvariant()}, not active in the cluster" : registration;
}
