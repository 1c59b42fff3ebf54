using System.Net;
using MetaCluster.ServiceDefaults.Hosting;
using System.Text.RegularExpressions;
using MetaCluster.Protos.Api.V1;

namespace MetaCluster.Tests.Processes;

/// <summary>Who may join a cluster, and how several workers share one host.</summary>
[Collection(ProcessCollection.Name)]
public sealed partial class AdmissionTests(RedisFixture redis, ITestOutputHelper log)
{
    [Fact]
    public async Task WorkersWithoutTheTokenReachRedisButAreNeverRegisteredAndReportUnhealthy()
    {
        await using var cluster = new ProcessCluster(redis.Address, token: "admission-token", name: "admit");
        await cluster.StartCoordinatorAsync();
        int[] ports = [FreePorts.Next(), FreePorts.Next(), FreePorts.Next()];
        var good = await cluster.StartWorkerAsync(expectedWorkers: 1, start: WithMetricsPort(ports[0]));
        var anonymous = cluster.LaunchWorker(start: WithMetricsPort(ports[1]) with { Token = "" });
        var wrong = cluster.LaunchWorker(start: WithMetricsPort(ports[2]) with { Token = "not-the-token" });
        // Their silos join through Redis within seconds, and announce their workers every 2 s: the registry must refuse them.
        await Task.Delay(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        Assert.Equal([FaultRuns.WorkerId(good)], await FaultRuns.WorkerIdsAsync(cluster));

        string runId = await cluster.SubmitAsync(FaultRuns.Options(steps: 40));
        var result = await cluster.WatchToEndAsync(runId, FaultRuns.RunTimeout);
        Assert.True(result.State == RunState.Completed, result.Error + cluster.Logs());
        Assert.Contains("\"shard_retries\": 0", result.SummaryJson);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var healthy = await http.GetAsync(HealthUrl(ports[0]), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        foreach (var (refused, port) in new[] { (anonymous, ports[1]), (wrong, ports[2]) })
        {
            var response = await http.GetAsync(HealthUrl(port), TestContext.Current.CancellationToken);
            string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            log.WriteLine($"{refused.Name} /healthz: {(int)response.StatusCode} {body}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains("token", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TwoWorkersWithDefaultPortsShareAHostAndARunUsesBoth()
    {
        await using var cluster = new ProcessCluster(redis.Address, name: "ports");
        await cluster.StartCoordinatorAsync();
        var a = await cluster.StartWorkerAsync(expectedWorkers: 1, start: new WorkerStart(DefaultPorts: true));
        var b = await cluster.StartWorkerAsync(expectedWorkers: 2, start: new WorkerStart(DefaultPorts: true));
        // The line comes once the host has started, which may be just after its workers registered.
        foreach (var w in new[] { a, b }) await w.WaitForOutputAsync("worker serving", TimeSpan.FromSeconds(30));
        log.WriteLine(ServingLine(a));
        log.WriteLine(ServingLine(b));
        Assert.NotEqual(ServingLine(a), ServingLine(b));

        string runId = await cluster.SubmitAsync(FaultRuns.Options(steps: 30));
        var result = await cluster.WatchToEndAsync(runId, FaultRuns.RunTimeout);
        Assert.True(result.State == RunState.Completed, result.Error + cluster.Logs());
        Assert.Contains("\"workers\": 2", result.SummaryJson);

        // A port given and already taken fails at once, in one line.
        var clash = cluster.LaunchWorker(start: new WorkerStart(DefaultPorts: true, ExtraArgs: ["--metrics-port", MetricsPort(a).ToString(System.Globalization.CultureInfo.InvariantCulture)]));
        Assert.Equal(2, await clash.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Matches("^error: --metrics-port [0-9]+ is in use", clash.Output.Trim());
    }

    private static string ServingLine(ManagedProcess worker) =>
        worker.Output.Split('\n').First(l => l.StartsWith("worker serving", StringComparison.Ordinal)).Trim();

    private static int MetricsPort(ManagedProcess worker) => int.Parse(MetricsPortPattern().Match(ServingLine(worker)).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    private static string HealthUrl(int metricsPort) => $"http://127.0.0.1:{metricsPort}/healthz";

    // The cluster's free silo port, and a metrics port the test knows (given once: the CLI refuses an option given twice).
    private static WorkerStart WithMetricsPort(int port) => new(ExtraArgs: ["--metrics-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    [GeneratedRegex("on port ([0-9]+)")]
    private static partial Regex MetricsPortPattern();
}
