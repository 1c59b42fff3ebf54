using System.Globalization;
using System.Text.Json;
using MetaCluster.Coordinator.Cli;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Tests.Cluster;
using MetaCluster.Abstractions;
using MetaCluster.Embedded;
using MetaCluster.ServiceDefaults.Hosting;

namespace MetaCluster.Tests.Observability;

/// <summary>A real Prometheus (Debian's package, on loopback) scrapes the coordinator's /metrics and returns a training run's tasks/s; the series goes when the run ends.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PrometheusScrapeTests
{
    [Fact]
    public async Task PrometheusScrapesTheCoordinatorsTasksPerSecondSeries()
    {
        if (MetaCluster.Testing.Processes.SystemPackages.PrometheusMissing is { } noPrometheus) Assert.Skip(noPrometheus);
        int metricsPort = FreePorts.Next(), prometheusPort = FreePorts.Next();
        string state = ClusterRuns.TempDirectory();
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions(2, Threads: 1, MetricsPort: metricsPort), TestContext.Current.CancellationToken);
        await using var prometheus = ManagedProcess.Start("prometheus", "bash",
        [
            Path.Combine(RepositoryPaths.Root, "Deploy", "scripts", "start-prometheus.sh"),
            prometheusPort.ToString(CultureInfo.InvariantCulture), state, $"127.0.0.1:{metricsPort}",
        ]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        // A run long enough to be scraped while it trains; stopped once Prometheus has its series.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        string? runId = null;
        var training = cluster.RunToEndAsync(ClusterRuns.Sinusoid(workers: 2, shards: 2, steps: 1_000_000, state), s => runId ??= s.RunId, stop.Token);
        while (runId is null) await Task.Delay(100, TestContext.Current.CancellationToken);
        string query = Uri.EscapeDataString($"metacluster_tasks_per_second{{metacluster_run_id=\"{runId}\"}}");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            Assert.False(prometheus.HasExited, $"prometheus exited:\n{prometheus.Output}");
            double? value = null;
            try
            {
                using var answer = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{prometheusPort}/api/v1/query?query={query}", TestContext.Current.CancellationToken));
                var result = answer.RootElement.GetProperty("data").GetProperty("result");
                if (result.GetArrayLength() > 0)
                    value = double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
            }
            catch (HttpRequestException)
            {
                // Prometheus is still starting.
            }
            if (value is { } tasksPerSecond)
            {
                Assert.InRange(tasksPerSecond, 1, 1e7);
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, $"Prometheus returned no tasks/s series within 60 s:\n{prometheus.Output}");
            await Task.Delay(500, TestContext.Current.CancellationToken);
        }

        // Once the run has ended its gauges are gone: a scrape no longer reports it.
        await stop.CancelAsync();
        Assert.Equal(RunState.Stopped, (await training).State);
        string exposition = await http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics", TestContext.Current.CancellationToken);
        Assert.DoesNotContain(exposition.Split('\n'), line => line.StartsWith("metacluster_tasks_per_second", StringComparison.Ordinal) && line.Contains(runId, StringComparison.Ordinal));
    }
}
