global using Xunit;
global using MetaCluster.Client;
