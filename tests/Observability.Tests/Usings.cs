global using Xunit;
global using MetaCluster.Testing.Processes;
