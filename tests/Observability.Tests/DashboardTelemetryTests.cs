using System.Diagnostics;
using System.Globalization;
using MetaCluster.Protos.Api.V1;

namespace MetaCluster.Tests.Observability;

/// <summary>
/// The cluster's telemetry in a real OpenTelemetry backend: the Aspire Dashboard's own executable
/// receives OTLP from <c>Coordinator serve</c> and two TaskWorker processes during a short run, and
/// its telemetry API must show one meta-step as one trace across the three processes, metrics of
/// each, and logs that carry the step's trace id.
/// </summary>
[Collection(ObservabilityCollection.Name)]
public sealed class DashboardTelemetryTests(ITestOutputHelper log)
{
    private const int Steps = 6;
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AMetaStepsTraceSpansTheCoordinatorAndBothWorkersWithItsMetricsAndCorrelatedLogs()
    {
        Assert.SkipUnless(File.Exists(AspireDashboard.Executable),
            $"no Aspire Dashboard executable at {AspireDashboard.Executable}: restore tests/Observability.Tests (NuGet Aspire.Dashboard.Sdk.linux-x64)");
        var ct = TestContext.Current.CancellationToken;
        await using var redis = await LocalRedis.StartAsync(RepositoryPaths.Root, TimeSpan.FromMinutes(5));
        await using var dashboard = await AspireDashboard.StartAsync(TimeSpan.FromMinutes(1));
        await using var cluster = new ProcessCluster(redis.Address, name: "otlp") { Environment = dashboard.ExportEnvironment() };
        var coordinator = await cluster.StartCoordinatorAsync();
        var first = await cluster.StartWorkerAsync(expectedWorkers: 1);
        var second = await cluster.StartWorkerAsync(expectedWorkers: 2);
        string runId = await cluster.SubmitAsync(Definition(Steps));
        var result = await cluster.WatchToEndAsync(runId, TimeSpan.FromMinutes(3));
        Assert.True(result.State == RunState.Completed, result.Error + cluster.Logs());

        string coordinatorInstance = Instance(coordinator);
        string[] workers = [Instance(first), Instance(second)];
        string[] everyone = [coordinatorInstance, .. workers];
        using var api = new TelemetryApi(dashboard.Url);

        // Exporters send every second or so: wait until a step's trace holds all three processes, and each has metrics and logs.
        var clock = Stopwatch.StartNew();
        IReadOnlyList<ApiSpan> spans = [];
        IReadOnlyList<ApiLog> logs = [];
        ApiResource[] resources = [];
        string[] stepTraces = [];
        while (clock.Elapsed < Arrival)
        {
            spans = await api.SpansAsync(ct);
            logs = await api.LogsAsync(ct);
            resources = await api.ResourcesAsync(ct);
            stepTraces = [.. StepTraceCheck.StepTraces(spans, everyone)];
            if (stepTraces.Length == Steps && everyone.All(i => resources.Any(r => r.InstanceId == i && r.HasMetrics && r.HasLogs))) break;
            await Task.Delay(500, ct);
        }
        log.WriteLine($"after {clock.Elapsed.TotalSeconds:0.0} s: {spans.Count} spans in {spans.Select(s => s.TraceId).Distinct().Count()} traces, " +
            $"{stepTraces.Length} step traces across all three processes, {logs.Count} log records ({logs.Count(l => l.TraceId.Length > 0)} with a trace id)");
        foreach (var r in resources) log.WriteLine($"resource {r.Name} {r.InstanceId}: traces {r.HasTraces}, metrics {r.HasMetrics}, logs {r.HasLogs}");

        // Every meta-step is sampled (the default parent-based always-on) and spreads its 4 shards over both workers.
        Assert.Equal(Steps, stepTraces.Length);
        foreach (string traceId in stepTraces)
        {
            var trace = spans.Where(s => s.TraceId == traceId).ToArray();
            Assert.Empty(StepTraceCheck.Problems(trace, coordinatorInstance, workers));
            Assert.All(trace.Where(s => s.Name == "meta-step"), s => Assert.Equal(runId, s.Attributes["metacluster.run_id"]));
            // The same trace without the workers' spans (a worker that exported none) must fail the check.
            var withoutWorkers = trace.Where(s => !workers.Contains(s.Instance)).ToArray();
            Assert.Contains(StepTraceCheck.Problems(withoutWorkers, coordinatorInstance, workers), p => p.StartsWith("no shard span", StringComparison.Ordinal));
        }
        Assert.Equal("metacluster-coordinator", spans.First(s => s.Instance == coordinatorInstance).Service);
        Assert.All(workers, w => Assert.Equal("metacluster-taskworker", spans.First(s => s.Instance == w).Service));

        // Metrics of every process, logs of every process, and the run's own log lines inside its traces.
        Assert.All(everyone, i => Assert.Contains(resources, r => r.InstanceId == i && r.HasMetrics && r.HasLogs));
        var traceIds = spans.Select(s => s.TraceId).ToHashSet();
        Assert.Contains(logs, l => l.Instance == coordinatorInstance && l.Message.Contains(runId, StringComparison.Ordinal) && traceIds.Contains(l.TraceId));
        foreach (string worker in workers)
        {
            var joined = Assert.Single(logs, l => l.Instance == worker && l.Message.Contains($"first shard of run {runId}", StringComparison.Ordinal));
            // Written inside the shard's span: its trace is a meta-step's, and its span is that worker's.
            Assert.Contains(spans, s => s.TraceId == joined.TraceId && s.Name == "meta-step");
            Assert.Contains(spans, s => s.SpanId == joined.SpanId && s.Instance == worker);
        }
    }

    private static string Instance(ManagedProcess process) => $"{Environment.MachineName}-{process.Id}";

    private static RunDefinition Definition(int steps)
    {
        var options = new Dictionary<string, string>
        {
            ["task"] = "sinusoid", ["algorithm"] = "maml", ["meta-steps"] = steps.ToString(CultureInfo.InvariantCulture),
            ["meta-batch"] = "8", ["shards"] = "4", ["inner-steps"] = "1", ["eval-tasks"] = "4", ["seed"] = "3",
            ["checkpoint-every"] = "1000", ["log-every"] = "1",
        };
        return MetaCluster.Coordinator.Definitions.ApiRunDefinitions.ToApi(
            MetaCluster.Coordinator.Cli.TrainOptions.Parse(options.SelectMany(kv => new[] { "--" + kv.Key, kv.Value })).Run);
    }
}
