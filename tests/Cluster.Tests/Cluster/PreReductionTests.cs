using MetaCluster.Testing.Faults;
using System.Text.Json;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.Cli;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Tasks;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.DataPlane.Wire;
using MetaCluster.TaskWorker.Execution;
using MetaCluster.TaskWorker.Relay;
using Microsoft.Extensions.DependencyInjection;
using static TorchSharp.torch;
using MetaCluster.Abstractions;
using MetaCluster.DataPlane.Replication;
using MetaCluster.Embedded;
using MetaCluster.DataPlane.Reduction;
using MetaCluster.Coordinator.Steps;

namespace MetaCluster.Tests.Cluster;

/// <summary>
/// Pre-reduction on workers (<c>--reduce-group k</c>): k consecutive shards run in one worker
/// process and reach the coordinator as one summed gradient.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PreReductionTests
{
    private const int MetaBatch = 12;

    [Fact]
    public async Task AGroupsSumIsTheTwoLevelSumOfItsShardsAndEveryShardKeepsItsOwnHeader()
    {
        var definition = new RunDefinition { Task = "sinusoid", Algorithm = "maml", Shots = 5, Query = 10, MetaBatch = MetaBatch, InnerSteps = 1, InnerLr = 0.01, Seed = 5 };
        var family = new SinusoidTasks();
        var model = family.CreateModel();
        var maml = new Maml(new InnerLoopSettings(definition.InnerSteps, definition.InnerLr), firstOrder: false);
        using var theta = maml.InitializeMetaParameters(model, definition.Seed);
        const long step = 2;
        var shards = ShardPlan.Split(MetaBatch, 5);

        // Each shard's gradient computed here, then summed as groups {0,1}, {2,3}, {4} and the groups in order.
        var perShard = shards.Select(tasks =>
        {
            using var batch = family.Sample(definition.Seed, TaskStream.Train, step, tasks, new EpisodeShape(1, 5, 10));
            return maml.ComputeShard(model, theta, batch).GradientSum.data<float>().ToArray();
        }).ToArray();
        var groups = new[] { InOrder([perShard[0], perShard[1]]), InOrder([perShard[2], perShard[3]]), perShard[4] };
        var expected = InOrder(groups);

        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions(2, Threads: 1), TestContext.Current.CancellationToken);
        var result = await ClusterRuns.TrainingRoundAsync(cluster, definition, theta.data<float>().ToArray(), step, shards, groupSize: 2, runId: "groups");
        using var gradient = result.Gradient!;

        GradientAssert.Close(gradient.Values.Select(g => (double)g).ToArray(), expected.Select(g => (double)g).ToArray(), 1e-6);
        Assert.Equal(5, result.Shards.Count);
        for (int s = 0; s < 5; s++)
        {
            Assert.Equal(s, result.Shards[s].Key.Shard);
            Assert.Equal(shards[s], result.Shards[s].TaskIndices);
            Assert.Equal(shards[s].Length, result.Shards[s].Train.TaskLosses.Count);
            Assert.NotEmpty(result.Shards[s].WorkerId);
        }
        // Shards of a group were run by one worker, and reached the coordinator as one result each.
        Assert.Equal(3, result.Units.Count);
        Assert.Equal(result.Shards[0].WorkerId, result.Shards[1].WorkerId);
        Assert.Equal(result.Shards[2].WorkerId, result.Shards[3].WorkerId);
    }

    [Fact]
    public async Task FinalParametersDoNotDependOnHowManyWorkersRunTheGroups()
    {
        var one = await ClusterRuns.RunAsync(ClusterRuns.Sinusoid(workers: 1, shards: 4, steps: 15, ClusterRuns.TempDirectory()) with { ReduceGroup = 2 });
        var three = await ClusterRuns.RunAsync(ClusterRuns.Sinusoid(workers: 3, shards: 4, steps: 15, ClusterRuns.TempDirectory()) with { ReduceGroup = 2 });
        var inProcess = await ClusterRuns.RunAsync(ClusterRuns.Sinusoid(workers: 2, shards: 4, steps: 15, ClusterRuns.TempDirectory()) with { ReduceGroup = 2 }, inProcessDataPlane: true);
        var ungrouped = await ClusterRuns.RunAsync(ClusterRuns.Sinusoid(workers: 2, shards: 4, steps: 15, ClusterRuns.TempDirectory()));

        Assert.Equal(15, one.Final.Step);
        Assert.Equal(one.Final.Theta, three.Final.Theta);
        Assert.Equal(one.Final.SecondMoment, three.Final.SecondMoment);
        Assert.Equal(one.Final.Theta, inProcess.Final.Theta);
        // Another summation order: the same training up to float rounding.
        double moved = ClusterRuns.Distance(ungrouped.Final.Theta, ClusterRuns.SinusoidInitialTheta());
        double apart = ClusterRuns.Distance(one.Final.Theta, ungrouped.Final.Theta);
        Assert.True(moved > 1e-3, "training did not move the parameters: the comparison would prove nothing");
        Assert.True(apart <= 1e-4 * moved, $"grouped and ungrouped runs differ by {apart:E3} after moving {moved:E3}");
    }

    [Fact]
    public async Task GroupsMeetingAtARelayGiveTheSameBitsHoweverManyWorkersRunThem()
    {
        // Eight shards: groups of two, super-groups of two groups, each summed at a worker process's relay.
        var one = await ClusterRuns.RunAsync(ClusterRuns.Sinusoid(workers: 1, shards: 8, steps: 12, ClusterRuns.TempDirectory()) with { ReduceGroup = 2, ReduceTree = 2 });
        var three = await ClusterRuns.RunAsync(ClusterRuns.Sinusoid(workers: 3, shards: 8, steps: 12, ClusterRuns.TempDirectory()) with { ReduceGroup = 2, ReduceTree = 2 });
        var grouped = await ClusterRuns.RunAsync(ClusterRuns.Sinusoid(workers: 3, shards: 8, steps: 12, ClusterRuns.TempDirectory()) with { ReduceGroup = 2 });

        Assert.Equal(12, one.Final.Step);
        Assert.Equal(one.Final.Theta, three.Final.Theta);
        Assert.Equal(one.Final.SecondMoment, three.Final.SecondMoment);
        double moved = ClusterRuns.Distance(grouped.Final.Theta, ClusterRuns.SinusoidInitialTheta());
        double apart = ClusterRuns.Distance(one.Final.Theta, grouped.Final.Theta);
        Assert.True(moved > 1e-3, "training did not move the parameters: the comparison would prove nothing");
        Assert.True(apart <= 1e-4 * moved, $"relayed and directly sent groups differ by {apart:E3} after moving {moved:E3}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task AGroupWhoseWorkerFailsRunsAgainElsewhereAndTheRunEndsWithTheUndisturbedBits(int treeFanIn)
    {
        var undisturbed = await RunWithFaultAsync(Fault.None, treeFanIn);
        var retried = await RunWithFaultAsync(Fault.GroupMember, treeFanIn);
        Assert.Equal(0, undisturbed.Retries);
        Assert.True(retried.Retries >= 1, "the injected failure was not retried");
        Assert.Equal(undisturbed.Final.Theta, retried.Final.Theta);
        Assert.Equal(undisturbed.Final.SecondMoment, retried.Final.SecondMoment);
    }

    [Fact]
    public async Task ARelayWhoseForwardFailsHasItsSuperGroupRunAgainAtOnceNotAfterTheShardTimeout()
    {
        var undisturbed = await RunWithFaultAsync(Fault.None, treeFanIn: 2);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var retried = await RunWithFaultAsync(Fault.RelayForward, treeFanIn: 2);

        // Noticed through the relay's verdict, not by waiting out the 600 s shard timeout.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(300), $"the failed forward was noticed after {clock.Elapsed.TotalSeconds:0} s");
        Assert.Equal(undisturbed.Final.Theta, retried.Final.Theta);
        Assert.True(retried.Retries >= 1);
    }

    [Theory]
    [InlineData("f32")]
    [InlineData("bf16")]
    public async Task ARelayWhoseResultIsTheWholeStepReplaysTheAdamUpdateInsteadOfFetchingTheParameters(string gradDtype)
    {
        // 4 shards, groups of 2, one relay for both groups: its result is the whole step's gradient.
        var run = await RunWithFaultAsync(Fault.None, treeFanIn: 2, gradDtype);
        long thetaBytes = run.Final.Theta.Length * sizeof(float);

        // Version 0 fetched (and the optimiser's empty state), versions 1–5 replayed and proved by their digests.
        Assert.Equal(1, run.Relay[ParameterSource.Fetched]);
        Assert.Equal(5, run.Relay[ParameterSource.Replayed]);
        Assert.Equal(0, run.Relay[ParameterSource.FetchedAfterMismatch]);
        // So the coordinator sent θ once, not six times (and under a hundred bytes of recipe per step).
        Assert.InRange(run.BytesSent, thetaBytes, thetaBytes + 6 * 100);
        Assert.Equal(6, run.Final.Step);
    }

    [Fact]
    public async Task AReplicaThatDivergesIsCaughtByTheDigestRestartedFromTheCoordinatorsStateAndTheRunKeepsTheUndisturbedBits()
    {
        var undisturbed = await RunWithFaultAsync(Fault.None, treeFanIn: 2);
        var diverged = await RunWithFaultAsync(Fault.ReplicaDiverges, treeFanIn: 2);

        // Version 4 (after step 3's gradient, changed in the replica's copy) fails its digest and is
        // fetched; the replica restarts there from the coordinator's moments and replays version 5.
        Assert.Equal(1, diverged.Relay[ParameterSource.FetchedAfterMismatch]);
        Assert.Equal(1, diverged.Relay[ParameterSource.Fetched]);
        Assert.Equal(4, diverged.Relay[ParameterSource.Replayed]);
        Assert.True(diverged.BytesSent > 3 * undisturbed.Final.Theta.Length * sizeof(float), "θ, m and v were not sent again after the mismatch");
        Assert.Equal(0, diverged.Retries);
        Assert.Equal(undisturbed.Final.Theta, diverged.Final.Theta);
        Assert.Equal(undisturbed.Final.FirstMoment, diverged.Final.FirstMoment);
        Assert.Equal(undisturbed.Final.SecondMoment, diverged.Final.SecondMoment);
    }

    private enum Fault { None, GroupMember, RelayForward, ReplicaDiverges }

    private sealed record FaultRun(long Retries, Checkpoint Final, IReadOnlyDictionary<ParameterSource, long> Relay, long BytesSent);

    // A run of 4 shards in groups of 2 (through a relay when treeFanIn is 2), 600 s shard timeout,
    // with one fault injected once at step 3.
    private static async Task<FaultRun> RunWithFaultAsync(Fault fault, int treeFanIn, string gradDtype = "f32")
    {
        string outDir = ClusterRuns.TempDirectory();
        var run = ClusterRuns.Sinusoid(workers: 2, shards: 4, steps: 6, outDir) with { ReduceGroup = 2, ReduceTree = treeFanIn, ShardTimeoutSeconds = 600, GradDtype = gradDtype };
        var faults = new WorkerFaults();
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions(run.Workers, Threads: 1) { ConfigureServices = faults.InjectInto });
        int injected = 0;
        if (fault == Fault.GroupMember)
        {
            // Step 3's second group (shards 2 and 3) fails once, in its worker: nothing of the
            // failed attempt may reach the step.
            faults.BeforeShard = (_, request) =>
                request.Key.Step == 3 && request.TrainGroup?.Members.Any(m => m.Shard == 3) == true && Interlocked.Exchange(ref injected, 1) == 0
                    ? new InvalidOperationException("injected: worker lost during a group")
                    : null;
        }
        else if (fault == Fault.RelayForward)
        {
            faults.BeforeRelayForward = plan =>
                plan.Key.Step == 3 && Interlocked.Exchange(ref injected, 1) == 0 ? new IOException("injected: the coordinator could not be reached") : null;
        }
        else if (fault == Fault.ReplicaDiverges)
        {
            faults.BeforeRelayRecordsGradient = (plan, sum) =>
            {
                if (plan.Key.Step == 3 && Interlocked.Exchange(ref injected, 1) == 0) sum[0] = sum[0] > 0 ? -1 : 1;
            };
        }
        var status = await cluster.RunToEndAsync(run, cancellationToken: CancellationToken.None);
        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        Assert.Equal(fault == Fault.None ? 0 : 1, injected);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.Equal(2, summary.RootElement.GetProperty("reduce_group").GetInt32());
        Assert.Equal(treeFanIn, summary.RootElement.GetProperty("reduce_tree").GetInt32());
        var relay = cluster.Services.GetRequiredService<RelayParameters>();
        return new FaultRun(summary.RootElement.GetProperty("shard_retries").GetInt64(), Checkpoint.Load(Path.Combine(outDir, "checkpoints", "final.ckpt")),
            Enum.GetValues<ParameterSource>().ToDictionary(s => s, relay.Obtained), summary.RootElement.GetProperty("bytes_sent").GetInt64());
    }

    // Whole gradients summed in their order, elementwise in float32: the order the two levels of pre-reduction fix.
    private static float[] InOrder(IReadOnlyList<float[]> gradients)
    {
        var sum = gradients[0].ToArray();
        for (int i = 1; i < gradients.Count; i++)
            for (int j = 0; j < sum.Length; j++) sum[j] += gradients[i][j];
        return sum;
    }
}
