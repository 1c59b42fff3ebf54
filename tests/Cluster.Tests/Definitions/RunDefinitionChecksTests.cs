using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Definitions;
using MetaCluster.Testing.Learning;

namespace MetaCluster.Tests.Definitions;

/// <summary>
/// The one validator every run definition goes through (train, submit, the API): combinations that
/// can never work are refused before anything starts, naming the field as the caller spells it.
/// </summary>
public sealed class RunDefinitionChecksTests
{
    private static InvalidRunDefinitionException Refused(RunDefinition run, FieldNames names, IReadOnlyList<string>? roots = null, RunLimits? limits = null) =>
        Assert.Throws<InvalidRunDefinitionException>(() =>
        {
            RunDefinitionRules.Check(run, names, limits);
            RunDataChecks.Check(run, names, roots, limits);
        });

    [Fact]
    public void AClassifierOnRegressionTasksIsRefusedNamingTheAlgorithm()
    {
        var run = new RunDefinition { Task = "sinusoid", Algorithm = "protonet" };
        var cli = Refused(run, FieldNames.CommandLine);
        Assert.Equal("algorithm", cli.Field);
        Assert.StartsWith("--algorithm protonet classifies", cli.Message);
        Assert.StartsWith("definition.algorithm protonet", Refused(run, FieldNames.Api).Message);
        Assert.DoesNotContain('\n', cli.Message);
    }

    [Fact]
    public void MoreWaysThanTheDataHasClassesIsRefusedNamingTheData()
    {
        var run = new RunDefinition { Task = "images", Algorithm = "protonet", Data = [OmniglotData.Small1], Ways = 5000, Shots = 1, Query = 1, Shards = 1, EvalTasks = 0 };
        var refused = Refused(run, FieldNames.CommandLine);
        Assert.Equal("data", refused.Field);
        Assert.StartsWith("--data: ", refused.Message);
        Assert.DoesNotContain('\n', refused.Message);
    }

    [Fact]
    public void MoreShotsAndQueriesThanImagesPerClassIsRefused()
    {
        // Omniglot draws each character 20 times: 15 shots and 10 queries need 25.
        var run = new RunDefinition { Task = "images", Algorithm = "protonet", Data = [OmniglotData.Small1], Ways = 5, Shots = 15, Query = 10, Shards = 1, EvalTasks = 0 };
        Assert.Equal("data", Refused(run, FieldNames.Api).Field);
        RunDataChecks.Check(run with { Shots = 5, Query = 15 }, FieldNames.Api, null);
    }

    [Fact]
    public void AMissingPathIsNamedAndAPathOutsideTheRootsIsRefusedBeforeItsExistenceIsLookedAt()
    {
        string root = Directory.CreateTempSubdirectory("roots-").FullName;
        var run = new RunDefinition { Task = "tabular", Algorithm = "maml", Data = [Path.Combine(root, "missing")], Shards = 1 };
        Assert.Contains("no file or directory", Refused(run, FieldNames.Api, [root]).Message);
        var outside = Refused(run with { Data = ["/etc/passwd"] }, FieldNames.Api, [root]);
        Assert.StartsWith("definition.data: ", outside.Message);
        Assert.DoesNotContain("no file or directory", outside.Message);
    }

    [Fact]
    public void OneRequestCannotAskForMoreThanTheCoordinatorTakes()
    {
        var huge = new RunDefinition { MetaBatch = 1_000_000, Shards = 1_000_000, MetaSteps = 2 };
        Assert.Equal("meta-batch", Refused(huge, FieldNames.Api).Field);
        Assert.Equal("shards", Refused(new RunDefinition { MetaBatch = 100_000, Shards = 20_000 }, FieldNames.Api).Field);
        Assert.Equal("eval-tasks", Refused(new RunDefinition { EvalTasks = 10_000_000 }, FieldNames.Api).Field);
        var longText = Refused(new RunDefinition { Task = "tabular", Data = [new string('a', 7 << 20)] }, FieldNames.Api);
        Assert.Equal("data", longText.Field);
        Assert.True(longText.Message.Length < 200, "a hostile value is never echoed whole");
        Assert.Equal("eval-inner-steps", Refused(new RunDefinition { EvalInnerSteps = [.. Enumerable.Repeat(1, 5000)] }, FieldNames.Api).Field);
    }

    [Fact]
    public void TheMemoryEstimateIsCheckedAgainstTheBudget()
    {
        var run = new RunDefinition { MetaBatch = 10_000, Shards = 10_000 };
        RunDataChecks.Check(run, FieldNames.Api, null);
        var refused = Refused(run, FieldNames.Api, limits: new RunLimits(MemoryBudgetBytes: 16L << 20));
        Assert.Equal("shards", refused.Field);
        Assert.Contains("MiB", refused.Message);
        // Pre-reducing groups on workers keeps one buffer per group at the coordinator.
        RunDataChecks.Check(run with { ReduceGroup = 100 }, FieldNames.Api, null, new RunLimits(MemoryBudgetBytes: 16L << 20));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:x")]
    [InlineData("cuda:1234")]
    [InlineData("CPU")]
    public void ADeviceIsSpelledCpuCudaOrCudaN(string device) =>
        Assert.Equal("device", Refused(new RunDefinition { Device = device }, FieldNames.CommandLine).Field);

    [Fact]
    public void ACudaDeviceOnAMachineWithoutCudaSaysWhy()
    {
        if (TorchSharp.torch.cuda.is_available()) Assert.Skip("this machine's libtorch has CUDA: the refusal is for CPU-only machines");
        var refused = Assert.Throws<InvalidRunDefinitionException>(() => DevicePolicy.CheckAvailableHere("cuda:0", FieldNames.CommandLine));
        Assert.StartsWith("--device cuda:0: the libtorch this process loaded has no CUDA", refused.Message);
        DevicePolicy.CheckAvailableHere("cpu", FieldNames.CommandLine);
    }
}
