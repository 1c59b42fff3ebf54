namespace MetaCluster.Tests.PythonClient;

/// <summary>
/// The client's pytest suite (<c>clients/python/tests</c>), one test per module, against the
/// fixture's cluster: <c>METACLUSTER_COORDINATOR</c> and <c>METACLUSTER_TOKEN</c> point pytest at it.
/// pytest's output is the test's output; on failure it is in the message, with the cluster's logs.
/// </summary>
public sealed class PytestSuiteTests(PythonClusterFixture fixture, ITestOutputHelper log) : IClassFixture<PythonClusterFixture>
{
    private static readonly TimeSpan ModuleTimeout = TimeSpan.FromMinutes(10);
    private const int LogTailCharacters = 20_000;

    /// <summary>The folder of the Python package.</summary>
    public static string ClientDirectory => Path.Combine(RepositoryPaths.Root, "clients", "python");

    /// <summary>Every <c>test_*.py</c> module of the suite.</summary>
    public static TheoryData<string> Modules() =>
        [.. Directory.GetFiles(Path.Combine(ClientDirectory, "tests"), "test_*.py").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Modules))]
    public async Task PytestModulePasses(string module)
    {
        if (fixture.Python.Missing is { } missing) Assert.Skip(missing);
        var cluster = fixture.Cluster!;
        var environment = new Dictionary<string, string?>
        {
            ["METACLUSTER_COORDINATOR"] = cluster.ApiUrl,
            ["METACLUSTER_TOKEN"] = cluster.Token,
            ["CLUSTER_TOKEN"] = null,
            // Keeps the checkout free of __pycache__ folders.
            ["PYTHONDONTWRITEBYTECODE"] = "1",
        };
        // -p no:cacheprovider: no .pytest_cache in the checkout either; -rs lists skipped tests with their reasons.
        var result = await PythonProcess.RunAsync(fixture.Python.Path,
            ["-m", "pytest", Path.Combine("tests", module), "-q", "-rs", "-p", "no:cacheprovider"], ClientDirectory, environment, ModuleTimeout);
        log.WriteLine(result.Output);
        Assert.True(result.ExitCode == 0,
            $"pytest tests/{module} exited with {result.ExitCode}:\n{result.Output}\n--- cluster logs (tail)\n{Tail(cluster.Logs())}");
    }

    private static string Tail(string text) => text.Length <= LogTailCharacters ? text : "…" + text[^LogTailCharacters..];
}
