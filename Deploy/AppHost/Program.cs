using System.Globalization;
using MetaCluster.AppHost;

// The cluster on this machine: Redis, `Coordinator serve`, N TaskWorkers, and the Aspire Dashboard
// with every process's traces, metrics and logs (OTLP is wired by the orchestrator).
var builder = DistributedApplication.CreateBuilder(args);
string root = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", ".."));
var settings = AppHostSettings.From(builder.Configuration, root);
RedisServer.EnsureInstalled(root);

string redisAddress = $"127.0.0.1:{settings.RedisPort}";
string sampleRatio = settings.SampleRatio.ToString(CultureInfo.InvariantCulture);
var redis = builder.AddRedisServer(root, settings.RedisPort);

var coordinator = builder.AddProject("coordinator", Path.Combine(root, "Coordinator", "Coordinator.csproj"), launchProfileName: null)
    .WithArgs("serve", "--redis", redisAddress, "--api", $"http://127.0.0.1:{settings.ApiPort}",
        "--metrics-port", Port(settings.MetricsPort), "--state-dir", settings.StateDirectory)
    .WithHttpEndpoint(port: settings.ApiPort, name: "api", isProxied: false)
    .WithHttpEndpoint(port: settings.MetricsPort, name: "metrics", isProxied: false)
    .WithHttpHealthCheck("/healthz/ready", endpointName: "metrics")
    .WithTraceSampler(sampleRatio)
    .WaitFor(redis);

for (int i = 1; i <= settings.Workers; i++)
{
    int metrics = settings.MetricsPort + i;
    builder.AddProject($"taskworker-{i}", Path.Combine(root, "TaskWorker", "TaskWorker.csproj"), launchProfileName: null)
        .WithArgs("--redis", redisAddress, "--device", "cpu", "--metrics-port", Port(metrics), "--threads", "1")
        .WithHttpEndpoint(port: metrics, name: "metrics", isProxied: false)
        .WithHttpHealthCheck("/healthz/ready", endpointName: "metrics")
        .WithTraceSampler(sampleRatio)
        .WaitFor(coordinator);
}

builder.Build().Run();

static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
