using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MetaCluster.Protos.Api.V1;

namespace MetaCluster.Tests.Processes;

/// <summary>What the fault tests share: run options, worker ids of processes, and bounded waits.</summary>
internal static class FaultRuns
{
    public static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    /// <summary>A sinusoid MAML run of <paramref name="steps"/> steps in 4 shards; extra options override.</summary>
    public static RunDefinition Options(int steps, params (string Name, string Value)[] extra)
    {
        var options = new Dictionary<string, string>
        {
            ["task"] = "sinusoid", ["algorithm"] = "maml", ["meta-steps"] = steps.ToString(CultureInfo.InvariantCulture),
            ["meta-batch"] = "16", ["shards"] = "4", ["inner-steps"] = "1", ["eval-tasks"] = "10", ["seed"] = "5",
            ["checkpoint-every"] = "1000", ["log-every"] = "1",
        };
        foreach (var (name, value) in extra) options[name] = value;
        // The API's definition of train-style options, as submit makes it.
        return MetaCluster.Coordinator.Definitions.ApiRunDefinitions.ToApi(
            MetaCluster.Coordinator.Cli.TrainOptions.Parse(options.SelectMany(kv => new[] { "--" + kv.Key, kv.Value })).Run);
    }

    /// <summary>The id of worker 0 of a TaskWorker process (its prefix is the host name and the process id).</summary>
    public static string WorkerId(ManagedProcess worker) => $"{Environment.MachineName}-{worker.Id}/cpu/0";

    /// <summary>The ids the coordinator lists now.</summary>
    public static async Task<string[]> WorkerIdsAsync(ProcessCluster cluster) =>
        [.. (await cluster.Client.ListWorkersAsync(new ListWorkersRequest())).Workers.Select(w => w.WorkerId).Order(StringComparer.Ordinal)];

    /// <summary>Waits until the coordinator lists exactly the workers of <paramref name="workers"/>; fails with the logs after <paramref name="timeout"/>.</summary>
    public static async Task WaitForWorkersAsync(ProcessCluster cluster, TimeSpan timeout, params ManagedProcess[] workers)
    {
        string[] expected = [.. workers.Select(WorkerId).Order(StringComparer.Ordinal)];
        var clock = Stopwatch.StartNew();
        string[] listed = [];
        while (clock.Elapsed < timeout)
        {
            try
            {
                listed = await WorkerIdsAsync(cluster);
                if (listed.SequenceEqual(expected)) return;
            }
            catch (Grpc.Core.RpcException)
            {
                // The registry may not answer for a moment while membership heals; ask again.
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"expected workers [{string.Join(", ", expected)}] within {timeout.TotalSeconds:0} s, listed [{string.Join(", ", listed)}]\n{cluster.Logs()}");
    }

    /// <summary>The throughput a finished run reports in its summary.</summary>
    public static double TasksPerSecond(RunResult result) =>
        JsonDocument.Parse(result.SummaryJson).RootElement.GetProperty("tasks_per_second").GetDouble();

    /// <summary>Asks the run to stop and waits until it has.</summary>
    public static async Task StopAsync(ProcessCluster cluster, string runId)
    {
        await cluster.Client.StopRunAsync(new StopRunRequest { RunId = runId });
        var result = await cluster.WatchToEndAsync(runId, RunTimeout);
        Assert.True(result.State == RunState.Stopped, $"run {runId} {result.State}: {result.Error}");
    }
}
