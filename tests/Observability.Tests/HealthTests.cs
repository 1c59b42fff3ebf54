using System.Globalization;
using System.Net;
using Grpc.Health.V1;
using Grpc.Net.Client;
using MetaCluster.ServiceDefaults.Health;
using MetaCluster.ServiceDefaults.Hosting;
using MetaCluster.TaskWorker.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;

namespace MetaCluster.Tests.Observability;

/// <summary>
/// /healthz/live, /healthz/ready and grpc.health.v1 of real processes, each ready condition made
/// false: the coordinator without Redis, a worker the registry refuses; and the silo and device
/// checks on their own.
/// </summary>
[Collection(ObservabilityCollection.Name)]
public sealed class HealthTests(ITestOutputHelper log)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TheCoordinatorIsReadyOnlyWhileRedisAnswersAndStaysLive()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var redis = await LocalRedis.StartAsync(RepositoryPaths.Root, TimeSpan.FromMinutes(5));
        await using var cluster = new ProcessCluster(redis.Address, name: "health");
        int metrics = FreePorts.Next();
        await cluster.StartCoordinatorAsync(metricsPort: metrics);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metrics}"), Timeout = TimeSpan.FromSeconds(10) };
        using var channel = GrpcChannel.ForAddress(cluster.ApiUrl);
        var grpc = new Health.HealthClient(channel);

        Assert.Equal("ok", await WaitForAsync(http, "/healthz/ready", HttpStatusCode.OK, ct));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await grpc.CheckAsync(new HealthCheckRequest(), cancellationToken: ct)).Status);

        redis.Kill();
        string down = await WaitForAsync(http, "/healthz/ready", HttpStatusCode.ServiceUnavailable, ct);
        log.WriteLine($"Redis killed: /healthz/ready says {down}");
        Assert.StartsWith("redis: redis 127.0.0.1:", down, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz/live", ct)).StatusCode);
        var readiness = await grpc.CheckAsync(new HealthCheckRequest { Service = HealthEndpoints.ReadinessService }, cancellationToken: ct);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, readiness.Status);
        var liveness = await grpc.CheckAsync(new HealthCheckRequest { Service = HealthEndpoints.LivenessService }, cancellationToken: ct);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, liveness.Status);

        await redis.RestartAsync(TimeSpan.FromMinutes(1));
        Assert.Equal("ok", await WaitForAsync(http, "/healthz/ready", HttpStatusCode.OK, ct));
    }

    [Fact]
    public async Task AWorkerIsReadyOnlyOnceRegisteredAndOneTheRegistryRefusesStaysLiveButNotReady()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var redis = await LocalRedis.StartAsync(RepositoryPaths.Root, TimeSpan.FromMinutes(5));
        await using var cluster = new ProcessCluster(redis.Address, token: "health-token", name: "wready");
        await cluster.StartCoordinatorAsync();
        int goodMetrics = FreePorts.Next(), goodRelay = FreePorts.Next(), refusedMetrics = FreePorts.Next();
        await cluster.StartWorkerAsync(expectedWorkers: 1, start: new WorkerStart(DefaultPorts: true, ExtraArgs: ["--metrics-port", Port(goodMetrics), "--relay-port", Port(goodRelay)]));
        cluster.LaunchWorker(start: new WorkerStart(DefaultPorts: true, Token: "not-the-token", ExtraArgs: ["--metrics-port", Port(refusedMetrics)]));

        using var good = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{goodMetrics}"), Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal("ok", await WaitForAsync(good, "/healthz/ready", HttpStatusCode.OK, ct));
        // grpc.health.v1 on the relay's port answers from the same checks (and needs no token).
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{goodRelay}");
        var status = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = HealthEndpoints.ReadinessService }, cancellationToken: ct);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, status.Status);

        // The refused worker's silo joins and its device computes; only its registration is missing.
        using var refused = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{refusedMetrics}"), Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal("ok", await WaitForAsync(refused, "/healthz/live", HttpStatusCode.OK, ct));
        await Task.Delay(TimeSpan.FromSeconds(5), ct);
        var ready = await refused.GetAsync("/healthz/ready", ct);
        string body = await ready.Content.ReadAsStringAsync(ct);
        log.WriteLine($"refused worker /healthz/ready: {(int)ready.StatusCode} {body}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("registration", Assert.Single(body.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Split(':')[0]);
        Assert.Contains("token", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SiloStatus.Joining)]
    [InlineData(SiloStatus.ShuttingDown)]
    [InlineData(SiloStatus.Dead)]
    [InlineData(SiloStatus.None)]
    public void ASiloThatIsNotActiveIsNotReady(SiloStatus status)
    {
        Assert.Equal(HealthStatus.Healthy, SiloActiveHealthCheck.Evaluate(SiloStatus.Active).Status);
        var result = SiloActiveHealthCheck.Evaluate(status);
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains(status.ToString().ToLowerInvariant(), result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDeviceCheckComputesOnTheCpuAndFailsOnADeviceThisBuildCannotUse()
    {
        Assert.Equal(HealthStatus.Healthy, DeviceHealthCheck.Probe("cpu").Status);
        Assert.SkipWhen(TorchSharp.torch.cuda.is_available(), "a CUDA device is present: cuda:0 would compute");
        var gpu = DeviceHealthCheck.Probe("cuda:0");
        log.WriteLine(gpu.Description ?? "");
        Assert.Equal(HealthStatus.Unhealthy, gpu.Status);
        Assert.StartsWith("device cuda:0 does not compute", gpu.Description, StringComparison.Ordinal);
    }

    // Polls until the path answers with the status; returns the body.
    private static async Task<string> WaitForAsync(HttpClient http, string path, HttpStatusCode expected, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + Settle;
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync(path, ct);
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}";
                if (response.StatusCode == expected) return (await response.Content.ReadAsStringAsync(ct)).Trim();
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            await Task.Delay(250, ct);
        }
        throw new TimeoutException($"{http.BaseAddress}{path.TrimStart('/')} did not answer {(int)expected} within {Settle.TotalSeconds:0} s; last: {last}");
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
