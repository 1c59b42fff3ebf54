namespace MetaCluster.Tests.PythonClient;

/// <summary>The Python stubs committed in <c>clients/python/src/metacluster/_proto</c> are what the repository's .proto files give.</summary>
public sealed class GeneratedStubsTests(ITestOutputHelper log)
{
    // generate.sh --check: 0 the same, 1 different, 3 cannot tell (no protoc, or another version than the stubs came from).
    private const int CannotTell = 3;

    [Fact]
    public async Task TheCommittedStubsMatchTheProtos()
    {
        string script = Path.Combine(PytestSuiteTests.ClientDirectory, "scripts", "generate.sh");
        var result = await PythonProcess.RunAsync("bash", [script, "--check"], PytestSuiteTests.ClientDirectory,
            new Dictionary<string, string?>(), TimeSpan.FromMinutes(2));
        log.WriteLine(result.Output);
        if (result.ExitCode == CannotTell) Assert.Skip(result.Output.Trim());
        Assert.True(result.ExitCode == 0, result.Output);
    }
}
