using MetaCluster.Coordinator.Cli;
using MetaCluster.Coordinator.Definitions;
using MetaCluster.ServiceDefaults.Options;
using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Runs;

namespace MetaCluster.Tests.Cli;

public sealed class SubmitOptionsTests
{
    [Fact]
    public void SubmitSendsATypedDefinitionThatTheServerReadsAsTheSameRunAsTrain()
    {
        string dir = Directory.CreateTempSubdirectory("submit-options-").FullName;
        string a = Directory.CreateDirectory(Path.Combine(dir, "a")).FullName, b = Directory.CreateDirectory(Path.Combine(dir, "b")).FullName;
        string config = Path.Combine(dir, "run.json");
        File.WriteAllText(config, """{ "meta_steps": 77, "shots": 3 }""");
        string[] args = ["--task", "images", "--data", a, "--data", b, "--rotations", "--config", config, "--shots", "1", "--grad-dtype", "bf16"];

        var request = SubmitCommand.ToRequest(["--coordinator", "http://127.0.0.1:7100", .. args]);
        var server = ApiRunDefinitions.ToRecord(request.Definition);
        var local = TrainOptions.Parse(args).Run;

        Assert.Equal([a, b], server.Data);
        Assert.True(server.Rotations);
        Assert.Equal(77, server.MetaSteps);
        Assert.Equal(1, server.Shots);
        Assert.Equal("bf16", server.GradDtype);
        Assert.Equal(MetaCluster.Protos.DataPlane.V1.DType.Bfloat16, server.ToSpec().GradDtype);
        Assert.NotEmpty(request.RequestId);
        Assert.Equal(local with { OutputDirectory = null }, server with { OutputDirectory = null }, new RunDefinitionComparer());
    }

    [Fact]
    public void OptionsTheCoordinatorChoosesAreRefused() =>
        Assert.Contains("--out is not for submit", Assert.Throws<UsageException>(() => SubmitCommand.ToRequest(["--coordinator", "http://127.0.0.1:7100", "--out", "x"])).Message);

    // Records with array properties compare arrays by reference; compare them by content.
    private sealed class RunDefinitionComparer : IEqualityComparer<MetaCluster.Abstractions.RunDefinition>
    {
        public bool Equals(MetaCluster.Abstractions.RunDefinition? x, MetaCluster.Abstractions.RunDefinition? y) =>
            System.Text.Json.JsonSerializer.Serialize(x) == System.Text.Json.JsonSerializer.Serialize(y);

        public int GetHashCode(MetaCluster.Abstractions.RunDefinition obj) => 0;
    }
}
