using System.Text.Json.Nodes;

namespace MetaCluster.Tests.Deploy;

/// <summary>
/// Runs the real helm binary on the chart: the one Deploy/scripts/ensure-helm.sh installs in
/// .tools/bin, else one on PATH. Where there is none, each test is skipped, saying how to get it:
/// it never reports a lint or render it did not run.
/// </summary>
public sealed class HelmCliTests(ITestOutputHelper output)
{
    [Fact]
    public async Task HelmLintRunsWhereHelmIsInstalled()
    {
        await RequireHelmAsync();
        foreach (var settings in new[] { Array.Empty<string>(), ["--set", "gpu.enabled=true"] })
        {
            var (exitCode, text) = await RunHelmAsync(["lint", "--strict", DeployFiles.ChartDirectory, .. settings]);
            output.WriteLine(text);
            Assert.True(exitCode == 0, $"helm lint --strict {string.Join(' ', settings)} failed:\n{text}");
        }
    }

    [Fact]
    public async Task HelmTemplateRendersCpuWorkersWhereHelmIsInstalled()
    {
        await RequireHelmAsync();
        var worker = WorkerContainer(await RenderAsync());

        Assert.Null(worker["resources"]?["limits"]?["nvidia.com/gpu"]);
        AssertFlag(worker, "--device", "cpu");
        Assert.EndsWith("-cpu", (string?)worker["image"]);
    }

    [Fact]
    public async Task HelmTemplateRendersGpuWorkersWhereHelmIsInstalled()
    {
        await RequireHelmAsync();
        var worker = WorkerContainer(await RenderAsync("--set", "gpu.enabled=true", "--set", "worker.replicas=4"));

        Assert.Equal(1, (long?)worker["resources"]?["limits"]?["nvidia.com/gpu"]);
        AssertFlag(worker, "--device", "cuda:0");
        Assert.EndsWith("-cuda", (string?)worker["image"]);
    }

    [Fact]
    public async Task HelmTemplateWiresTheCoordinatorWhereHelmIsInstalled()
    {
        await RequireHelmAsync();
        var documents = await RenderAsync("--set", "data.enabled=true", "--set", "data.existingClaim=omniglot");
        var deployment = Single(documents, "Deployment", "coordinator");
        var coordinator = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;

        Assert.Equal("serve", (string?)coordinator["args"]![0]);
        AssertFlag(coordinator, "--redis", "test-metacluster-redis:6379");
        AssertFlag(coordinator, "--api", "http://0.0.0.0:7100");
        AssertFlag(coordinator, "--advertise-address", "$(POD_IP)");
        AssertFlag(coordinator, "--data-root", "/data");
        Assert.Equal(7100, (long?)coordinator["readinessProbe"]!["grpc"]!["port"]);
        Assert.Equal("test-metacluster-token", (string?)Env(coordinator, "CLUSTER_TOKEN")!["valueFrom"]!["secretKeyRef"]!["name"]);
        Assert.NotNull(Single(documents, "Secret", null)["data"]!["token"]);
        // Users and workers hold separate tokens: the coordinator reads both, a worker only its own.
        Assert.Equal("token", (string?)Env(coordinator, "CLUSTER_TOKEN")!["valueFrom"]!["secretKeyRef"]!["key"]);
        Assert.Equal("workerToken", (string?)Env(coordinator, "CLUSTER_WORKER_TOKEN")!["valueFrom"]!["secretKeyRef"]!["key"]);
        Assert.Equal("workerToken", (string?)Env(WorkerContainer(documents), "CLUSTER_TOKEN")!["valueFrom"]!["secretKeyRef"]!["key"]);
        Assert.NotEqual((string?)Single(documents, "Secret", null)["data"]!["token"], (string?)Single(documents, "Secret", null)["data"]!["workerToken"]);
        Assert.Equal("test", (string?)deployment["spec"]!["template"]!["metadata"]!["labels"]!["orleans/clusterId"]);
    }

    [Fact]
    public async Task HelmRejectsInvalidValuesWhereHelmIsInstalled()
    {
        await RequireHelmAsync();
        foreach (var invalid in new[] { "worker.replicas=-1", "worker.replicaCount=3", "gpu.enabled=maybe" })
        {
            var (exitCode, text) = await RunHelmAsync(["template", "test", DeployFiles.ChartDirectory, "--set", invalid]);
            output.WriteLine($"--set {invalid}: {text.Trim()}");
            Assert.True(exitCode != 0, $"helm template accepted --set {invalid}");
        }
    }

    private async Task RequireHelmAsync()
    {
        Assert.SkipWhen(ProjectTools.Helm.Value is null, ProjectTools.HelmInstallHint);
        var (exitCode, version) = await RunHelmAsync(["version", "--short"]);
        Assert.True(exitCode == 0, $"{ProjectTools.Helm.Value} version failed:\n{version}");
        output.WriteLine($"helm: {ProjectTools.Helm.Value} ({version.Trim()})");
    }

    private static async Task<IReadOnlyList<JsonObject>> RenderAsync(params string[] settings)
    {
        var (exitCode, text) = await RunHelmAsync(["template", "test", DeployFiles.ChartDirectory, "--namespace", "ml", .. settings]);
        Assert.True(exitCode == 0, $"helm template {string.Join(' ', settings)} failed:\n{text}");
        return YamlJson.ParseAll(text).OfType<JsonObject>().ToList();
    }

    private static JsonNode WorkerContainer(IReadOnlyList<JsonObject> documents) =>
        Single(documents, "Deployment", "worker")["spec"]!["template"]!["spec"]!["containers"]![0]!;

    private static JsonObject Single(IReadOnlyList<JsonObject> documents, string kind, string? component) =>
        Assert.Single(documents, d => (string?)d["kind"] == kind
            && (component is null || (string?)d["metadata"]?["labels"]?["app.kubernetes.io/component"] == component));

    private static JsonNode? Env(JsonNode container, string name) =>
        container["env"]!.AsArray().SingleOrDefault(e => (string?)e!["name"] == name);

    private static void AssertFlag(JsonNode container, string flag, string expected)
    {
        var args = container["args"]!.AsArray().Select(a => (string?)a).ToList();
        var at = args.IndexOf(flag);
        Assert.True(at >= 0 && at + 1 < args.Count, $"{flag} missing from {string.Join(' ', args)}");
        Assert.Equal(expected, args[at + 1]);
    }

    private static async Task<(int ExitCode, string Output)> RunHelmAsync(IEnumerable<string> arguments)
    {
        var result = await ProjectTools.RunHelmAsync(arguments);
        return (result.ExitCode, result.Output);
    }
}
