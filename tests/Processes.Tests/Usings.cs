global using Xunit;
global using MetaCluster.Testing.Embedded;
global using MetaCluster.Testing.Processes;
