using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MetaCluster.Tests.Deploy;

/// <summary>
/// Checks on the chart's template text that hold without a helm binary (HelmCliTests renders the
/// chart where one is installed).
/// </summary>
public sealed partial class HelmTemplateTests
{
    private static string Template(string name) => File.ReadAllText(Path.Combine(DeployFiles.ChartTemplates, name));

    private static IEnumerable<string> AllTemplateFiles() =>
        Directory.EnumerateFiles(DeployFiles.ChartTemplates, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".tpl", StringComparison.Ordinal) || f.EndsWith(".txt", StringComparison.Ordinal));

    [Fact]
    public void EveryValuesReferenceInTemplatesExistsInValuesYaml()
    {
        var values = DeployFiles.ChartValues();
        var missing = new SortedSet<string>();
        var checkedReferences = 0;
        foreach (var file in AllTemplateFiles())
        {
            foreach (Match reference in ValuesReference().Matches(File.ReadAllText(file)))
            {
                checkedReferences++;
                JsonNode? node = values;
                foreach (var key in reference.Groups["path"].Value.TrimStart('.').Split('.'))
                {
                    if (node is not JsonObject mapping || !mapping.ContainsKey(key))
                    {
                        missing.Add($"{Path.GetRelativePath(DeployFiles.ChartDirectory, file)}: {reference.Value}");
                        break;
                    }
                    node = mapping[key];
                }
            }
        }

        Assert.True(checkedReferences > 50, $"only {checkedReferences} .Values references found: is the regex still right?");
        Assert.True(missing.Count == 0, "templates read values that values.yaml does not define:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void WorkerRequestsAGpuAndCudaOnlyUnderGpuEnabled()
    {
        var text = Template("worker-deployment.yaml");
        var blocks = new GoTemplateBlocks(text);

        var gpuRequests = blocks.Occurrences("nvidia.com/gpu").ToList();
        Assert.NotEmpty(gpuRequests);
        Assert.All(gpuRequests, at => Assert.Contains(blocks.Enclosing(at), b => IsGpuEnabled(b) && !b.InElse));

        var cuda = Assert.Single(blocks.TextOccurrences("- cuda:0"));
        Assert.Contains(blocks.Enclosing(cuda), b => IsGpuEnabled(b) && !b.InElse);
        var cpu = Assert.Single(blocks.TextOccurrences("- cpu"));
        Assert.Contains(blocks.Enclosing(cpu), b => IsGpuEnabled(b) && b.InElse);

        // The image flavour follows the same switch: APPVERSION-cuda or APPVERSION-cpu.
        var helpers = Template("_helpers.tpl");
        Assert.Contains("ternary \"cuda\" \"cpu\" .Values.gpu.enabled", helpers);

        static bool IsGpuEnabled(GoTemplateBlocks.Block b) => b.Keyword == "if" && b.Condition.StartsWith(".Values.gpu.enabled", StringComparison.Ordinal);
    }

    [Fact]
    public void CoordinatorIsProbedOverGrpcHealthAndWorkersOverHealthz()
    {
        var coordinator = Template("coordinator-deployment.yaml");
        foreach (var (probe, service) in new[] { ("startupProbe", "liveness"), ("readinessProbe", "readiness"), ("livenessProbe", "liveness") })
        {
            Assert.Matches($@"{probe}:\s*\n\s*grpc:\s*\n\s*port: \{{\{{ \$ports\.api \}}\}}\s*\n\s*service: {service}\n", coordinator);
        }

        var worker = Template("worker-deployment.yaml");
        foreach (var (probe, path) in new[] { ("startupProbe", "live"), ("readinessProbe", "ready"), ("livenessProbe", "live") })
        {
            Assert.Matches($@"{probe}:\s*\n\s*httpGet:\s*\n\s*path: /healthz/{path}\s*\n\s*port: metrics", worker);
        }
    }

    [Fact]
    public void SiloPodsGetWhatOrleansKubernetesHostingNeeds()
    {
        var helpers = Template("_helpers.tpl");
        foreach (var variable in new[] { "POD_NAME", "POD_NAMESPACE", "POD_IP", "ORLEANS_SERVICE_ID", "ORLEANS_CLUSTER_ID", "CLUSTER_TOKEN" })
        {
            Assert.Contains($"- name: {variable}\n", helpers);
        }
        Assert.Contains("fieldPath: metadata.name", helpers);
        Assert.Contains("fieldPath: metadata.namespace", helpers);
        Assert.Contains("fieldPath: status.podIP", helpers);
        Assert.Contains("orleans/serviceId:", helpers);
        Assert.Contains("orleans/clusterId:", helpers);

        foreach (var deployment in new[] { "coordinator-deployment.yaml", "worker-deployment.yaml" })
        {
            var text = Template(deployment);
            Assert.Contains("include \"metacluster.orleansLabels\"", text);
            Assert.Contains("include \"metacluster.siloEnv\"", text);
            Assert.Contains("serviceAccountName: {{ include \"metacluster.serviceAccountName\" . }}", text);
            Assert.Contains("- --advertise-address\n            - $(POD_IP)", text);
            // A changed token must restart the pods that read it.
            Assert.Contains("checksum/token: {{ include \"metacluster.secretChecksum\" . }}", text);
        }

        var rbac = Template("rbac.yaml");
        Assert.Contains("resources: [\"pods\"]", rbac);
        foreach (var verb in new[] { "get", "list", "watch", "delete", "patch" })
        {
            Assert.Matches($"verbs: \\[[^\\]]*\"{verb}\"", rbac);
        }
        Assert.Contains("kind: RoleBinding", rbac);
    }

    [Fact]
    public void EveryResourceCarriesTheStandardLabels()
    {
        var helpers = Template("_helpers.tpl");
        foreach (var label in new[] { "app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version", "app.kubernetes.io/managed-by", "app.kubernetes.io/component", "helm.sh/chart" })
        {
            Assert.Contains(label + ":", helpers);
        }
        foreach (var file in AllTemplateFiles().Where(f => f.EndsWith(".yaml", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            var kinds = Regex.Matches(text, @"^kind: ", RegexOptions.Multiline).Count;
            var labelled = Regex.Matches(text, @"include ""metacluster\.(labels|componentLabels)""").Count;
            Assert.True(labelled >= kinds, $"{Path.GetFileName(file)}: {kinds} resources, {labelled} with the chart's labels");
        }
    }

    [Fact]
    public void ImagesDefaultToTheChartsAppVersionAndNeverToLatest()
    {
        var values = DeployFiles.ChartValues();
        Assert.Equal("", (string?)values["coordinator"]!["image"]!["tag"]);
        Assert.Equal("", (string?)values["worker"]!["image"]!["tag"]);
        Assert.NotEqual("latest", (string?)values["redis"]!["image"]!["tag"]);

        var helpers = Template("_helpers.tpl");
        Assert.Contains("default .Chart.AppVersion .Values.coordinator.image.tag", helpers);
        Assert.Contains("default (printf \"%s-%s\" .Chart.AppVersion", helpers);

        var chart = (JsonObject)YamlJson.Parse(File.ReadAllText(Path.Combine(DeployFiles.ChartDirectory, "Chart.yaml")))!;
        Assert.Equal("v2", (string?)chart["apiVersion"]);
        Assert.Matches(@"^\d+\.\d+\.\d+", (string?)chart["appVersion"] ?? "");
    }

    [Fact]
    public void PodsRunAsNonRootOnAReadOnlyRootFileSystem()
    {
        var values = DeployFiles.ChartValues();
        Assert.Equal(true, (bool?)values["podSecurityContext"]!["runAsNonRoot"]);
        Assert.Equal(10001, (long?)values["podSecurityContext"]!["runAsUser"]);
        Assert.Equal(true, (bool?)values["securityContext"]!["readOnlyRootFilesystem"]);
        Assert.Equal(false, (bool?)values["securityContext"]!["allowPrivilegeEscalation"]);
        Assert.Equal("ALL", (string?)values["securityContext"]!["capabilities"]!["drop"]![0]);

        foreach (var deployment in new[] { "coordinator-deployment.yaml", "worker-deployment.yaml" })
        {
            var text = Template(deployment);
            Assert.Contains("toYaml .Values.podSecurityContext", text);
            Assert.Contains("toYaml .Values.securityContext", text);
            // .NET and libtorch need a writable /tmp when the root is read-only.
            Assert.Contains("mountPath: /tmp", text);
        }
        Assert.Contains("runAsNonRoot: true", Template("redis.yaml"));
        Assert.Contains("readOnlyRootFilesystem: true", Template("redis.yaml"));
    }

    [Fact]
    public void WorkersGetAtLeastAMinuteToHandBackTheirShard()
    {
        var values = DeployFiles.ChartValues();
        Assert.True((long?)values["worker"]!["terminationGracePeriodSeconds"] >= 60);
        Assert.Contains("terminationGracePeriodSeconds: {{ .Values.worker.terminationGracePeriodSeconds }}", Template("worker-deployment.yaml"));
        Assert.Contains("kind: PodDisruptionBudget", Template("worker-pdb.yaml"));
    }

    [Fact]
    public void NotesTellHowToSubmitARunToTheInstalledCluster()
    {
        var notes = Template("NOTES.txt");
        Assert.Contains("port-forward svc/", notes);
        Assert.Contains("submit --coordinator http://127.0.0.1:", notes);
        Assert.Contains("--token \"$CLUSTER_TOKEN\"", notes);
        Assert.Contains("get secret {{ include \"metacluster.secretName\" . }}", notes);
    }

    // .Values.a.b.c, also inside $.Values and .ctx.Values.
    [GeneratedRegex(@"\.Values(?<path>(\.[A-Za-z0-9_]+)+)")]
    private static partial Regex ValuesReference();
}
