using MetaCluster.ServiceDefaults.Options;
using MetaCluster.TaskWorker.Hosting;
using MetaCluster.ServiceDefaults.Hosting;

NativeMemoryTuning.Apply();
try
{
    var options = WorkerCommandLine.Parse(args);
    await WorkerHost.Build(options).RunAsync();
    return 0;
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
