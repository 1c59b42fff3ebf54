using MetaCluster.ServiceDefaults.Options;
using MetaCluster.TaskWorker.Hosting;
using MetaCluster.ServiceDefaults.Hosting;

NativeMemoryTuning.Apply();
try
{
    var options = WorkerCommandLine.Parse(args);
    var app = WorkerHost.Build(options);
    await app.StartAsync();
    // The ports a worker chose for itself (free ones by default): what scrapers and probes need.
    int metricsPort = app.Urls.Select(u => new Uri(u.Replace("*", "localhost", StringComparison.Ordinal)).Port).FirstOrDefault(options.MetricsPort);
    Console.WriteLine($"worker serving: silo {options.Membership.AdvertiseAddress}:{options.Membership.SiloPort}, metrics and /healthz on port {metricsPort}");
    await app.WaitForShutdownAsync();
    return 0;
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
