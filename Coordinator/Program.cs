using MetaCluster.Coordinator.Cli;
using MetaCluster.ServiceDefaults.Hosting;

// Before anything loads libtorch: see NativeMemoryTuning.
NativeMemoryTuning.Apply();

return await CommandLine.RunAsync(args);
