using System.Diagnostics;
using MetaCluster.Protos.Api.V1;

namespace MetaCluster.Tests.Processes;

/// <summary>
/// Redis, the membership store, lost or down: each test starts a Redis of its own (the shared one
/// must stay up for the others), run without persistence as the project's scripts run it.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class RedisOutageTests(ITestOutputHelper log)
{
    [Fact]
    public async Task AfterRedisRestartsEmptyADeadWorkerIsDroppedANewOneJoinsAndRunsGoAtFullSpeed()
    {
        if (SystemPackages.RedisMissing is { } noRedis) Assert.Skip(noRedis);
        await using var redis = await LocalRedis.StartAsync(RepositoryPaths.Root, TimeSpan.FromMinutes(5));
        await using var cluster = new ProcessCluster(redis.Address, name: "heal");
        await cluster.StartCoordinatorAsync();
        var a = await cluster.StartWorkerAsync(expectedWorkers: 1);
        var b = await cluster.StartWorkerAsync(expectedWorkers: 2);

        var quick = FaultRuns.Options(steps: 150);
        var before = await cluster.WatchToEndAsync(await cluster.SubmitAsync(quick), FaultRuns.RunTimeout);
        Assert.True(before.State == RunState.Completed, before.Error + cluster.Logs());

        // Mid-run: Redis dies and comes back empty on the same port.
        string longRun = await cluster.SubmitAsync(FaultRuns.Options(steps: 100_000));
        await cluster.WaitForStepAsync(longRun, 20, FaultRuns.RunTimeout);
        var clock = Stopwatch.StartNew();
        redis.Kill();
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        await redis.RestartAsync(TimeSpan.FromMinutes(1));

        // Then a worker dies and another joins: membership must notice both.
        b.Kill();
        var c = cluster.LaunchWorker();
        await FaultRuns.WaitForWorkersAsync(cluster, TimeSpan.FromSeconds(60), a, c);
        log.WriteLine($"workers a and c listed, b dropped, {clock.Elapsed.TotalSeconds:0.0} s after Redis was killed");
        long healed = (await cluster.WaitForStepAsync(longRun, 0, FaultRuns.RunTimeout)).Step;
        var progress = await cluster.WaitForStepAsync(longRun, healed + 20, FaultRuns.RunTimeout);
        Assert.True(progress.State == RunState.Training, $"the run in flight {progress.State}\n{cluster.Logs()}");
        await FaultRuns.StopAsync(cluster, longRun);

        var after = await cluster.WatchToEndAsync(await cluster.SubmitAsync(quick), FaultRuns.RunTimeout);
        Assert.True(after.State == RunState.Completed, after.Error + cluster.Logs());
        double speedBefore = FaultRuns.TasksPerSecond(before), speedAfter = FaultRuns.TasksPerSecond(after);
        log.WriteLine($"tasks/s before the restart {speedBefore:0}, after {speedAfter:0}");
        Assert.True(speedAfter * 5 >= speedBefore, $"after the restart {speedAfter:0} tasks/s, before {speedBefore:0}\n{cluster.Logs()}");
        Assert.Contains("restored", cluster.Coordinator!.Output + string.Concat(new[] { a, c }.Select(p => p.Output)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SigtermWhileRedisIsDownEndsServeAndAWorkerWithinTheStopDeadline()
    {
        if (SystemPackages.RedisMissing is { } noRedis) Assert.Skip(noRedis);
        await using var redis = await LocalRedis.StartAsync(RepositoryPaths.Root, TimeSpan.FromMinutes(5));
        await using var cluster = new ProcessCluster(redis.Address, name: "stop");
        var coordinator = await cluster.StartCoordinatorAsync();
        var worker = await cluster.StartWorkerAsync(expectedWorkers: 1);

        redis.Kill();
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        var clock = Stopwatch.StartNew();
        coordinator.Terminate();
        worker.Terminate();
        // 30 s is the deadline; a few more for a loaded CI machine. The old stop path took minutes.
        var limit = TimeSpan.FromSeconds(45);
        await Task.WhenAll(coordinator.WaitForExitAsync(limit), worker.WaitForExitAsync(limit));
        log.WriteLine($"both stopped {clock.Elapsed.TotalSeconds:0.0} s after SIGTERM (coordinator {coordinator.ExitCode}, worker {worker.ExitCode})");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(40), $"stopping took {clock.Elapsed.TotalSeconds:0} s\n{cluster.Logs()}");
    }
}
