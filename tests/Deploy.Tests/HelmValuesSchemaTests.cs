using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.Validation;

namespace MetaCluster.Tests.Deploy;

/// <summary>
/// values.schema.json is what makes `helm install` refuse a mistyped or unknown setting; these
/// tests hold it to the shipped values.yaml and to a few mistakes a user makes.
/// </summary>
public sealed class HelmValuesSchemaTests
{
    private static readonly Lazy<Task<JsonSchema>> Schema = new(() =>
        JsonSchema.FromFileAsync(Path.Combine(DeployFiles.ChartDirectory, "values.schema.json")));

    [Fact]
    public async Task ValuesYamlValidatesAgainstTheSchema()
    {
        var errors = await ValidateAsync(DeployFiles.ChartValues());

        Assert.True(errors.Count == 0, Describe(errors));
    }

    [Theory]
    [InlineData("negative worker replicas", "worker.replicas", "-1")]
    [InlineData("wrong type: a string for a boolean", "gpu.enabled", "\"yes\"")]
    [InlineData("wrong type: a string for a port", "coordinator.ports.api", "\"7100\"")]
    [InlineData("unknown key in a chart object", "worker.replicaCount", "3")]
    [InlineData("unknown top-level key", "workers", "{}")]
    [InlineData("port out of range", "worker.ports.metrics", "70000")]
    [InlineData("no workers per pod", "worker.workersPerPod", "0")]
    [InlineData("grace period too short for a worker to hand back its shard", "worker.terminationGracePeriodSeconds", "30")]
    [InlineData("the latest tag", "coordinator.image.tag", "\"latest\"")]
    [InlineData("a tag with a space", "worker.image.tag", "\"0.1 cpu\"")]
    [InlineData("an unknown pull policy", "image.pullPolicy", "\"Sometimes\"")]
    [InlineData("an empty Orleans service id", "orleans.serviceId", "\"\"")]
    [InlineData("a cluster id that is no label value", "orleans.clusterId", "\"my cluster\"")]
    [InlineData("a token too short to be a secret", "auth.token", "\"secret\"")]
    [InlineData("Redis without host:port", "redis.address", "\"redis\"")]
    [InlineData("a PDB budget that is neither a count nor a percentage", "worker.podDisruptionBudget.maxUnavailable", "\"half\"")]
    [InlineData("a relative data mount path", "data.mountPath", "\"data\"")]
    [InlineData("an unknown OTLP protocol", "otel.protocol", "\"thrift\"")]
    [InlineData("resources with a typo", "worker.resources.limit", "{}")]
    public async Task InvalidValuesAreRejected(string mistake, string path, string json)
    {
        var values = DeployFiles.ChartValues();
        Set(values, path, JsonNode.Parse(json));

        var errors = await ValidateAsync(values);

        Assert.True(errors.Count > 0, $"the schema accepted {mistake}: {path} = {json}");
    }

    [Fact]
    public async Task TurningOffBundledRedisRequiresAnAddress()
    {
        var values = DeployFiles.ChartValues();
        Set(values, "redis.enabled", false);
        Assert.NotEmpty(await ValidateAsync(values));

        Set(values, "redis.address", "redis.infra.svc:6379");
        var errors = await ValidateAsync(values);
        Assert.True(errors.Count == 0, Describe(errors));
    }

    [Fact]
    public async Task MountingDataRequiresAClaimOrAHostPath()
    {
        var values = DeployFiles.ChartValues();
        Set(values, "data.enabled", true);
        Assert.NotEmpty(await ValidateAsync(values));

        Set(values, "data.existingClaim", "omniglot");
        var errors = await ValidateAsync(values);
        Assert.True(errors.Count == 0, Describe(errors));
    }

    [Theory]
    [InlineData("worker.podDisruptionBudget.maxUnavailable", "\"25%\"")]
    [InlineData("worker.replicas", "0")]
    [InlineData("gpu.enabled", "true")]
    [InlineData("worker.image.tag", "\"0.2.0-cuda\"")]
    [InlineData("image.registry", "\"registry.example.com:5000/ml\"")]
    [InlineData("otel.endpoint", "\"http://otel-collector.observability:4317\"")]
    [InlineData("worker.resources.limits", "{ \"nvidia.com/gpu\": 1, \"memory\": \"16Gi\" }")]
    public async Task ValidSettingsAreAccepted(string path, string json)
    {
        var values = DeployFiles.ChartValues();
        Set(values, path, JsonNode.Parse(json));

        var errors = await ValidateAsync(values);

        Assert.True(errors.Count == 0, Describe(errors));
    }

    [Fact]
    public void EveryObjectTheChartDefinesIsClosed()
    {
        // Kubernetes objects handed through as they are: their fields are Kubernetes' business.
        string[] open = ["#/definitions/envVars/items"];
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(DeployFiles.ChartDirectory, "values.schema.json")))!.AsObject();
        var unclosed = new List<string>();
        Walk(schema, "#");
        Assert.True(unclosed.Count == 0, "objects with properties but without additionalProperties: false: " + string.Join(", ", unclosed));

        void Walk(JsonObject node, string where)
        {
            var closed = node["additionalProperties"] is JsonValue additional
                && additional.TryGetValue<bool>(out var allowed) && !allowed;
            if (node.ContainsKey("properties") && !closed && !open.Contains(where))
            {
                unclosed.Add(where);
            }
            // anyOf branches only add constraints to properties the enclosing object declares.
            foreach (var keyword in new[] { "properties", "definitions" })
            {
                if (node[keyword] is JsonObject children)
                {
                    foreach (var (name, child) in children)
                    {
                        if (child is JsonObject childObject)
                        {
                            Walk(childObject, $"{where}/{keyword}/{name}");
                        }
                    }
                }
            }
            if (node["items"] is JsonObject items)
            {
                Walk(items, where + "/items");
            }
        }
    }

    private static async Task<ICollection<ValidationError>> ValidateAsync(JsonObject values) => (await Schema.Value).Validate(values.ToJsonString());

    private static string Describe(ICollection<ValidationError> errors) =>
        "values rejected: " + string.Join("; ", errors.Select(e => $"{e.Kind} at {e.Path}"));

    private static void Set(JsonObject root, string dottedPath, JsonNode? value)
    {
        var parts = dottedPath.Split('.');
        var node = root;
        foreach (var part in parts[..^1])
        {
            node = node[part] as JsonObject ?? throw new ArgumentException($"{dottedPath}: {part} is not an object in values.yaml");
        }
        node[parts[^1]] = value;
    }
}
