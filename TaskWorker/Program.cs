using MetaCluster.TaskWorker.Hosting;
using MetaCluster.ServiceDefaults.Hosting;

NativeMemoryTuning.Apply();
return await WorkerCommandLine.RunAsync(args, Console.Out, Console.Error);
