using System.Text.Json.Nodes;

namespace MetaCluster.Tests.Deploy;

/// <summary>The local multi-container cluster in Deploy/compose.yaml and the configs it mounts.</summary>
public sealed class ComposeTests
{
    private static JsonObject Compose() => (JsonObject)YamlJson.Parse(DeployFiles.Read("Deploy", "compose.yaml"))!;

    private static JsonObject Services() => Compose()["services"]!.AsObject();

    private static List<string> Command(JsonNode service) => service["command"]!.AsArray().Select(a => (string)a!).ToList();

    private static string? Flag(JsonNode service, string flag)
    {
        var command = Command(service);
        var at = command.IndexOf(flag);
        return at >= 0 && at + 1 < command.Count ? command[at + 1] : null;
    }

    /// <summary>What Compose substitutes for ${VAR:-default} when VAR is unset.</summary>
    private static string Defaults(string value) =>
        System.Text.RegularExpressions.Regex.Replace(value, @"\$\{[A-Z_]+:-([^}]*)\}", "$1");

    private static IEnumerable<(string Name, JsonObject Service)> Workers() =>
        Services().Where(s => (string?)s.Value!["build"]?["dockerfile"] == "Deploy/docker/worker.Dockerfile")
            .Select(s => (s.Key, s.Value!.AsObject()));

    [Fact]
    public void ComposeFileNamesTheWholeLocalCluster()
    {
        var services = Services();

        foreach (var name in new[] { "redis", "coordinator", "worker-1", "worker-2", "otel-collector", "jaeger", "prometheus" })
        {
            Assert.True(services.ContainsKey(name), $"compose.yaml has no service {name}");
        }
        Assert.Equal(2, Workers().Count());
        Assert.Equal("Deploy/docker/coordinator.Dockerfile", (string?)services["coordinator"]!["build"]!["dockerfile"]);
        Assert.StartsWith("redis:", (string?)services["redis"]!["image"]);
        Assert.StartsWith("otel/opentelemetry-collector", (string?)services["otel-collector"]!["image"]);
        Assert.StartsWith("jaegertracing/", (string?)services["jaeger"]!["image"]);
        Assert.StartsWith("prom/prometheus:", (string?)services["prometheus"]!["image"]);
        Assert.All(services.Where(s => s.Value!["image"] is not null), s => Assert.DoesNotMatch(@":latest$|^[^:]+$", (string)s.Value!["image"]!));
    }

    [Fact]
    public void CoordinatorAndWorkersFollowTheProcessContract()
    {
        var services = Services();
        var coordinator = services["coordinator"]!;

        Assert.Equal("serve", Command(coordinator)[0]);
        Assert.Equal("redis:6379", Flag(coordinator, "--redis"));
        Assert.Equal("http://0.0.0.0:7100", Flag(coordinator, "--api"));
        Assert.Equal("http://coordinator:7100", Flag(coordinator, "--data-plane-url"));
        // The API is published on loopback only.
        Assert.Equal("127.0.0.1:7100:7100", (string?)coordinator["ports"]![0]);

        foreach (var (name, worker) in Workers())
        {
            Assert.Equal("redis:6379", Flag(worker, "--redis"));
            Assert.Equal("cpu", Flag(worker, "--device"));
            Assert.Equal(Flag(coordinator, "--cluster-id"), Flag(worker, "--cluster-id"));
            Assert.Equal("cpu", (string?)worker["build"]!["args"]!["TORCH_BACKEND"]);
            Assert.EndsWith("-cpu", (string?)worker["image"]);
            // Time for SIGTERM handling: finish or hand back the shard.
            Assert.True(int.Parse(((string)worker["stop_grace_period"]!).TrimEnd('s'), System.Globalization.CultureInfo.InvariantCulture) >= 60, name);
        }
    }

    [Fact]
    public void EverySiloAdvertisesItsOwnAddressOnTheClusterNetwork()
    {
        var services = Services();
        var subnet = Defaults((string)Compose()["networks"]!["cluster"]!["ipam"]!["config"]![0]!["subnet"]!);
        var prefix = subnet[..subnet.LastIndexOf('.')];
        var addresses = new HashSet<string>();

        foreach (var name in new[] { "coordinator" }.Concat(Workers().Select(w => w.Name)))
        {
            var service = services[name]!;
            var advertised = Defaults(Flag(service, "--advertise-address")!);
            var assigned = Defaults((string)service["networks"]!["cluster"]!["ipv4_address"]!);
            Assert.Equal(assigned, advertised);
            Assert.StartsWith(prefix + ".", assigned);
            Assert.True(addresses.Add(assigned), $"{name} shares {assigned}");
        }
    }

    [Fact]
    public void CoordinatorAndWorkersShareTheTokenFromAnEnvFile()
    {
        var services = Services();
        foreach (var name in new[] { "coordinator" }.Concat(Workers().Select(w => w.Name)))
        {
            Assert.Equal("cluster.env", (string?)services[name]!["env_file"]);
        }
        var example = DeployFiles.Read("Deploy", "cluster.env.example");
        Assert.Matches("(?m)^CLUSTER_TOKEN=$", example);
        // The real file holds a secret: git ignores it.
        Assert.Contains("Deploy/cluster.env", DeployFiles.Read(".gitignore").Split('\n').Select(l => l.Trim()));
    }

    [Fact]
    public void ServicesExportToTheCollectorAndTheCollectorToJaeger()
    {
        var services = Services();
        foreach (var name in new[] { "coordinator" }.Concat(Workers().Select(w => w.Name)))
        {
            Assert.Equal("http://otel-collector:4317", (string?)services[name]!["environment"]!["OTEL_EXPORTER_OTLP_ENDPOINT"]);
            Assert.NotNull((string?)services[name]!["environment"]!["OTEL_SERVICE_NAME"]);
        }

        Assert.Contains("./otel/collector.yaml:/etc/otelcol/config.yaml:ro", services["otel-collector"]!["volumes"]!.AsArray().Select(v => (string?)v));
        var collector = (JsonObject)YamlJson.Parse(DeployFiles.Read("Deploy", "otel", "collector.yaml"))!;
        Assert.Equal("0.0.0.0:4317", (string?)collector["receivers"]!["otlp"]!["protocols"]!["grpc"]!["endpoint"]);
        Assert.Equal("jaeger:4317", (string?)collector["exporters"]!["otlp/jaeger"]!["endpoint"]);
        var traces = collector["service"]!["pipelines"]!["traces"]!;
        Assert.Contains("otlp", traces["receivers"]!.AsArray().Select(r => (string?)r));
        Assert.Contains("otlp/jaeger", traces["exporters"]!.AsArray().Select(r => (string?)r));
    }

    [Fact]
    public void PrometheusScrapesTheCoordinatorAndEveryWorker()
    {
        var services = Services();
        Assert.Contains("./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro", services["prometheus"]!["volumes"]!.AsArray().Select(v => (string?)v));

        var prometheus = (JsonObject)YamlJson.Parse(DeployFiles.Read("Deploy", "prometheus", "prometheus.yml"))!;
        var targets = prometheus["scrape_configs"]!.AsArray()
            .SelectMany(job => job!["static_configs"]!.AsArray())
            .SelectMany(config => config!["targets"]!.AsArray().Select(t => (string)t!))
            .ToHashSet();

        Assert.Contains("coordinator:9464", targets);
        foreach (var (name, worker) in Workers())
        {
            Assert.Contains($"{name}:9465", targets);
            // A worker left without --metrics-port picks a free one (several share a host): the scraped port is given.
            Assert.Equal("9465", Flag(worker, "--metrics-port"));
        }
    }
}
