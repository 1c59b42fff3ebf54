using MetaCluster.Coordinator.Cli;
using MetaCluster.ServiceDefaults.Options;
using MetaCluster.TaskWorker.Hosting;
using YamlDotNet.RepresentationModel;

namespace MetaCluster.Tests.Cli;

/// <summary>The command lines the compose file gives the coordinator and the workers parse with the executables' options.</summary>
public sealed class DeploymentFlagsTests
{
    [Fact]
    public void EveryFlagTheComposeFileGivesIsOneTheExecutablesTake()
    {
        var compose = new YamlStream();
        compose.Load(new StringReader(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Deploy", "compose.yaml"))));
        var services = (YamlMappingNode)((YamlMappingNode)compose.Documents[0].RootNode).Children[new YamlScalarNode("services")];
        var commands = services.Children
            .Where(s => ((YamlScalarNode)s.Key).Value is "coordinator" || ((YamlScalarNode)s.Key).Value!.StartsWith("worker-", StringComparison.Ordinal))
            .ToDictionary(s => ((YamlScalarNode)s.Key).Value!, s => ((YamlSequenceNode)((YamlMappingNode)s.Value).Children[new YamlScalarNode("command")])
                .Children.Select(a => ((YamlScalarNode)a).Value!).ToArray());
        Assert.Contains("coordinator", commands.Keys);
        Assert.Contains("worker-1", commands.Keys);

        foreach (var (service, args) in commands)
        {
            var command = service == "coordinator" ? CommandLine.Create() : (System.CommandLine.Command)WorkerCommandLine.CreateCommand();
            var exception = Record.Exception(() => CommandLineRunner.Parse(command, args));
            Assert.True(exception is null, $"{service}: {exception?.Message}");
        }
    }
}
