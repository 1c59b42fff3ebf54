using System.Text.RegularExpressions;

namespace MetaCluster.Tests.Deploy;

/// <summary>
/// Validates every object the chart renders (real <c>helm template</c>) against the Kubernetes API's
/// OpenAPI schemas, offline, with Deploy/scripts/validate-k8s.mjs: wrong types, missing required
/// fields, values outside an enum and unknown fields, which helm lint and template let through and
/// the API server refuses at install time. Skipped, saying how to install them, where helm or the
/// validator (node and Deploy/scripts/ensure-kube-validate.sh's packages) are missing; CI installs both.
/// </summary>
public sealed partial class KubernetesSchemaTests(ITestOutputHelper output)
{
    private static readonly Lazy<string?> Node = new(() => ProjectTools.Find("node"));

    private static string Validator => DeployFiles.InRepository("Deploy", "scripts", "validate-k8s.mjs");

    /// <summary>validate-k8s.mjs exits so when its npm packages are not installed.</summary>
    private const int ValidatorNotInstalled = 3;

    /// <summary>helm template only renders the ServiceMonitor where the cluster serves its CRD.</summary>
    private static readonly string[] ServiceMonitorApi = ["--api-versions", "monitoring.coreos.com/v1/ServiceMonitor"];

    /// <summary>Value sets that switch on each optional part of the chart at least once.</summary>
    public static TheoryData<string> ValueSets => new(Settings.Keys.ToArray());

    private static readonly Dictionary<string, string[]> Settings = new()
    {
        ["defaults"] = [],
        ["gpu"] = ["--set", "gpu.enabled=true", "--set", "gpu.runtimeClassName=nvidia", "--set", "worker.replicas=4"],
        ["data-claim"] = ["--set", "data.enabled=true", "--set", "data.existingClaim=omniglot"],
        ["data-hostPath"] = ["--set", "data.enabled=true", "--set", "data.hostPath=/srv/metacluster-data"],
        ["service-monitor"] = ["--set", "metrics.serviceMonitor.enabled=true", "--set", "metrics.serviceMonitor.labels.release=prometheus", .. ServiceMonitorApi],
        ["otel"] = ["--set", "otel.endpoint=http://otel-collector.observability:4317", "--set", "otel.resourceAttributes=deployment.environment=test"],
        ["existing-secret"] = ["--set", "auth.existingSecret=metacluster-api", "--set", "auth.existingSecretWorkerKey=workerToken"],
        ["persistence"] = ["--set", "coordinator.persistence.enabled=true", "--set", "coordinator.persistence.storageClass=standard"],
        ["external-redis"] = ["--set", "redis.enabled=false", "--set", "redis.address=redis.shared:6379",
            "--set", "serviceAccount.create=false", "--set", "rbac.create=false", "--set", "worker.podDisruptionBudget.enabled=false"],
        ["everything"] = ["--set", "gpu.enabled=true", "--set", "data.enabled=true", "--set", "data.existingClaim=omniglot",
            "--set", "metrics.serviceMonitor.enabled=true", "--set", "otel.endpoint=http://otel:4317", "--set", "auth.existingSecret=mine",
            "--set", "coordinator.persistence.enabled=true", "--set", "image.pullSecrets[0]=registry", .. ServiceMonitorApi],
    };

    [Theory]
    [MemberData(nameof(ValueSets))]
    public async Task KubernetesSchemaAcceptsEveryRenderedObject(string valueSet)
    {
        await RequireToolsAsync();
        var rendered = await ProjectTools.RunHelmAsync(["template", "test", DeployFiles.ChartDirectory, "--namespace", "ml", .. Settings[valueSet]]);
        Assert.True(rendered.ExitCode == 0, $"helm template ({valueSet}) failed:\n{rendered.Output}");
        var objects = YamlJson.ParseAll(rendered.Stdout).Count(d => d is not null);

        var result = await ValidateAsync(rendered.Stdout);

        Assert.True(result.ExitCode == 0, $"objects of the chart ({valueSet}) fail the Kubernetes schemas:\n{result.Output}");
        var counts = CountLine().Match(result.Stdout);
        Assert.True(counts.Success, $"no count line in:\n{result.Output}");
        var (valid, skipped) = (int.Parse(counts.Groups["valid"].Value), int.Parse(counts.Groups["skipped"].Value));
        output.WriteLine($"{valueSet}: {objects} objects rendered, {valid} valid, {skipped} skipped");
        Assert.Equal(objects, valid + skipped);
        // Only custom resources may go unchecked: a built-in kind skipped (say, a removed apiVersion
        // such as policy/v1beta1) would be a kind no current cluster serves.
        var skippedLines = result.Stdout.Split('\n').Where(l => l.StartsWith("skipped ", StringComparison.Ordinal)).ToList();
        Assert.All(skippedLines, l => Assert.StartsWith("skipped monitoring.coreos.com/v1 ServiceMonitor/", l));
        Assert.Equal(Settings[valueSet].Contains("metrics.serviceMonitor.enabled=true") ? 1 : 0, skipped);
    }

    [Fact]
    public async Task KubernetesSchemaValidatorRejectsABrokenDeployment()
    {
        await RequireNodeValidatorAsync();
        const string manifests = """
            # Source: broken/templates/deployment.yaml
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: broken
            spec:
              replicas: "three"
              selector:
                matchLabels: {app: broken}
              template:
                metadata:
                  labels: {app: broken}
                spec:
                  containers:
                    - image: busybox
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: fine
            spec:
              selector: {app: broken}
              ports:
                - port: 80
                  targetPort: http
            """;

        var result = await ValidateAsync(manifests);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Stdout.Split('\n'), l => l.StartsWith("invalid ", StringComparison.Ordinal));
        Assert.StartsWith("invalid Deployment/broken (broken/templates/deployment.yaml):", line);
        Assert.Contains("/spec/replicas must be integer", line);
        Assert.Contains("/spec/template/spec/containers/0 must have required property name", line);
        Assert.Contains("1 of 2 objects invalid, 1 valid, 0 skipped", result.Stdout);
    }

    [Fact]
    public async Task KubernetesSchemaValidatorRejectsAMisspeltFieldOfTheChart()
    {
        await RequireToolsAsync();
        var rendered = await ProjectTools.RunHelmAsync(["template", "test", DeployFiles.ChartDirectory, "--show-only", "templates/worker-deployment.yaml"]);
        Assert.True(rendered.ExitCode == 0, rendered.Output);
        Assert.Contains("readinessProbe:", rendered.Stdout);

        // The OpenAPI schemas allow extra properties; the API server refuses them, so must the check.
        var result = await ValidateAsync(rendered.Stdout.Replace("readinessProbe:", "readinesProbe:"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("invalid Deployment/test-metacluster-worker (metacluster/templates/worker-deployment.yaml): " +
            "/spec/template/spec/containers/0/readinesProbe is not a field of Container", result.Stdout);
    }

    [Fact]
    public async Task KubernetesSchemaValidatorSkipsCustomResourcesByName()
    {
        await RequireNodeValidatorAsync();
        const string manifests = """
            apiVersion: monitoring.coreos.com/v1
            kind: ServiceMonitor
            metadata:
              name: scrape-me
            spec:
              endpoints: "whatever the CRD says"
            """;

        var result = await ValidateAsync(manifests);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("skipped monitoring.coreos.com/v1 ServiceMonitor/scrape-me: no schema for this kind", result.Stdout);
        Assert.Contains("0 objects valid, 1 skipped", result.Stdout);
    }

    private async Task<ToolResult> ValidateAsync(string manifests)
    {
        var result = await ProjectTools.RunAsync(Node.Value!, [Validator], stdin: manifests);
        output.WriteLine(result.Output);
        return result;
    }

    private async Task RequireToolsAsync()
    {
        Assert.SkipWhen(ProjectTools.Helm.Value is null, ProjectTools.HelmInstallHint);
        await RequireNodeValidatorAsync();
    }

    private async Task RequireNodeValidatorAsync()
    {
        const string install = "run Deploy/scripts/ensure-kube-validate.sh (it installs the pinned npm packages of " +
            "Deploy/scripts/kube-validate into .tools/, without root) to validate the chart's objects against the Kubernetes schemas";
        Assert.SkipWhen(Node.Value is null, $"no node on PATH: install Node.js and npm, then {install}.");
        var version = await ProjectTools.RunAsync(Node.Value!, [Validator, "--version"]);
        Assert.SkipWhen(version.ExitCode == ValidatorNotInstalled, $"the validator's packages are not installed: {install}.");
        Assert.True(version.ExitCode == 0, $"{Validator} --version failed:\n{version.Output}");
        output.WriteLine($"validator: {version.Stdout.Trim()}");
    }

    [GeneratedRegex(@"^(?<valid>\d+) objects valid, (?<skipped>\d+) skipped$", RegexOptions.Multiline)]
    private static partial Regex CountLine();
}
