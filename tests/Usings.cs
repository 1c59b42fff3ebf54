global using Xunit;
global using MetaCluster.Coordinator.Processes;
