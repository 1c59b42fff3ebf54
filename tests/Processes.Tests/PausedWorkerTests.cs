using System.Diagnostics;
using MetaCluster.Protos.Api.V1;

namespace MetaCluster.Tests.Processes;

/// <summary>A worker frozen by SIGSTOP (a GC pause, a stalled VM): the control plane times out around it.</summary>
[Collection(ProcessCollection.Name)]
public sealed class PausedWorkerTests(RedisFixture redis, ITestOutputHelper log)
{
    [Fact]
    public async Task AWorkerPausedForEightSecondsCostsAttemptsNeverTheRunAndLeavesNoGhost()
    {
        await using var cluster = new ProcessCluster(redis.Address, name: "pause");
        await cluster.StartCoordinatorAsync();
        var a = await cluster.StartWorkerAsync(expectedWorkers: 1);
        var b = await cluster.StartWorkerAsync(expectedWorkers: 2);

        string runId = await cluster.SubmitAsync(FaultRuns.Options(steps: 100_000, ("shard-timeout", "2")));
        await cluster.WaitForStepAsync(runId, 10, FaultRuns.RunTimeout);
        var clock = Stopwatch.StartNew();
        b.Pause();

        // `workers` during the pause: it answers, or fails with one line, and in bounded time.
        var cli = ManagedProcess.Start("workers-cli", "dotnet", [RepositoryPaths.Binary("Coordinator"), "workers", "--coordinator", cluster.ApiUrl]);
        await using (cli)
        {
            int exit = await cli.WaitForExitAsync(TimeSpan.FromSeconds(30));
            log.WriteLine($"workers: exit {exit} after {clock.Elapsed.TotalSeconds:0.0} s: {cli.Output.Trim()}");
            Assert.DoesNotContain("Unhandled exception", cli.Output, StringComparison.Ordinal);
            Assert.True(exit == 0 || (exit == 2 && cli.Output.Trim().Split('\n').Length == 1 && cli.Output.StartsWith("error:", StringComparison.Ordinal)), cli.Output);
        }

        var pause = TimeSpan.FromSeconds(8) - clock.Elapsed;
        if (pause > TimeSpan.Zero) await Task.Delay(pause, TestContext.Current.CancellationToken);
        b.Resume();
        long resumedAt = (await cluster.WaitForStepAsync(runId, 0, FaultRuns.RunTimeout)).Step;
        log.WriteLine($"resumed after {clock.Elapsed.TotalSeconds:0.0} s at step {resumedAt}");

        // The run goes on. Whether or not membership declared the paused silo dead meanwhile (it
        // depends on timing), no worker may be listed whose process is gone (a ghost would be sent
        // shards), and the paused worker's health says whether it can take work.
        var progress = await cluster.WaitForStepAsync(runId, resumedAt + 30, FaultRuns.RunTimeout);
        Assert.True(progress.State == RunState.Training, $"the run {progress.State}\n{cluster.Logs()}");
        await Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        var alive = new[] { a, b }.Where(p => !p.HasExited).ToArray();
        log.WriteLine($"paused worker {(b.HasExited ? $"exited ({b.ExitCode}): its silo was declared dead" : "lives on")}");
        // The paused worker may also sit out an eviction (its timeouts were failures in a row while
        // the other worker succeeded): listed or not, never as a ghost.
        for (int i = 0; i < 10; i++)
        {
            await Task.Delay(500, TestContext.Current.CancellationToken);
            var listed = await FaultRuns.WorkerIdsAsync(cluster);
            Assert.Contains(FaultRuns.WorkerId(a), listed);
            Assert.All(listed, id => Assert.Contains(id, alive.Select(FaultRuns.WorkerId)));
        }
        progress = await cluster.WaitForStepAsync(runId, progress.Step + 20, FaultRuns.RunTimeout);
        Assert.True(progress.State == RunState.Training, $"the run {progress.State}\n{cluster.Logs()}");
        await FaultRuns.StopAsync(cluster, runId);
    }
}
