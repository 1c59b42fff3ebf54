using MetaCluster.Coordinator.Cli;

return await CommandLine.RunAsync(args);
