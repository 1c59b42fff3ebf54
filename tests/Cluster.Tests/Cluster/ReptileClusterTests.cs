using System.Text.Json;
using System.Text.RegularExpressions;
using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.Runs;
using MetaCluster.DataPlane.Replication;
using MetaCluster.Embedded;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Optimisation;
using MetaCluster.Learning.Tasks;
using MetaCluster.TaskWorker.Relay;
using Microsoft.Extensions.DependencyInjection;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Cluster;

/// <summary>
/// Reptile and the outer optimiser's options through the in-process cluster: the same θ as one
/// process computing every task itself, relays replaying the scheduled, clipped, decayed SGD update
/// to the coordinator's bits, and a diverging run stopped at its step with its last good checkpoint.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ReptileClusterTests
{
    private const int MetaBatch = 12;
    private const int Steps = 6;

    private static RunDefinition Reptile(int workers, int shards, string outDir) => ClusterRuns.Sinusoid(workers, shards, Steps, outDir) with
    {
        Algorithm = "reptile", InnerSteps = 3, InnerLr = 0.02, MetaBatch = MetaBatch,
        OuterOptimizer = "sgd", OuterLr = 0.8, LrSchedule = "cosine", WarmupSteps = 2, MinOuterLr = 0.1, ClipGradNorm = 0.05, WeightDecay = 0.01,
    };

    // The whole run in this process: every step's tasks in one batch, one Reptile shard, the same optimiser.
    private static float[] OneProcess(RunDefinition run)
    {
        var family = new SinusoidTasks();
        var model = family.CreateModel();
        var reptile = new Reptile(new InnerLoopSettings(run.InnerSteps, run.InnerLr));
        var theta = reptile.InitializeMetaParameters(model, run.Seed).data<float>().ToArray();
        var optimizer = new OuterOptimizer(run.OuterOptimizer());
        for (long step = 0; step < run.MetaSteps; step++)
        {
            using var batch = family.Sample(run.Seed, TaskStream.Train, step, Enumerable.Range(0, run.MetaBatch).Select(i => (long)i).ToArray(),
                new EpisodeShape(1, run.Shots, run.Query));
            using var current = tensor(theta);
            using var sum = reptile.ComputeShard(model, current, batch).GradientSum;
            optimizer.ApplySum(theta, sum.data<float>().ToArray(), run.MetaBatch);
        }
        return theta;
    }

    [Fact]
    public async Task AReptileRunOnThreeWorkersEndsAtTheThetaOfOneProcessDoingEveryTaskItself()
    {
        var run = Reptile(workers: 3, shards: 3, ClusterRuns.TempDirectory());
        var distributed = (await ClusterRuns.RunAsync(run)).Final;
        var expected = OneProcess(run);
        var start = ClusterRuns.SinusoidInitialTheta();

        double moved = ClusterRuns.Distance(expected, start);
        double apart = ClusterRuns.Distance(distributed.Theta, expected);
        Assert.True(moved > 1e-2, $"training moved θ by only {moved:E3}: the comparison would prove nothing");
        // Three shards summed in order against one batch: the same sums up to float32 rounding.
        Assert.True(apart <= 1e-5 * moved, $"distributed and one-process θ differ by {apart:E3} after moving {moved:E3}");
        Assert.Null(distributed.FirstMoment); // SGD keeps no moments

        // And the same run on one worker gives the three workers' bits exactly.
        var oneWorker = (await ClusterRuns.RunAsync(Reptile(workers: 1, shards: 3, ClusterRuns.TempDirectory()))).Final;
        Assert.Equal(distributed.Theta, oneWorker.Theta);
    }

    [Fact]
    public async Task ARelayReplaysEveryScheduledClippedDecayedSgdUpdateToTheCoordinatorsBits()
    {
        string outDir = ClusterRuns.TempDirectory();
        // 4 shards, groups of 2, one relay for both groups: its result is the whole step's gradient.
        var run = Reptile(workers: 2, shards: 4, outDir) with { ReduceGroup = 2, ReduceTree = 2, ShardTimeoutSeconds = 600 };
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions(run.Workers, Threads: 1), TestContext.Current.CancellationToken);
        var status = await cluster.RunToEndAsync(run, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");

        // Version 0 fetched, versions 1–5 computed on the relay and proved by the coordinator's digests.
        var relay = cluster.Services.GetRequiredService<RelayParameters>();
        Assert.Equal(1, relay.Obtained(ParameterSource.Fetched));
        Assert.Equal(Steps - 1, relay.Obtained(ParameterSource.Replayed));
        Assert.Equal(0, relay.Obtained(ParameterSource.FetchedAfterMismatch));
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.Equal("sgd", summary.RootElement.GetProperty("outer_optimizer").GetString());
        Assert.Equal("cosine", summary.RootElement.GetProperty("lr_schedule").GetString());
    }

    [Fact]
    public async Task ADivergingRunStopsAtTheStepThatDivergedNamingItAndKeepsItsLastGoodCheckpoint()
    {
        string outDir = ClusterRuns.TempDirectory();
        // An outer SGD rate of 1e6 throws θ past float32's range within a few steps.
        var run = ClusterRuns.Sinusoid(workers: 2, shards: 2, steps: 40, outDir) with { OuterOptimizer = "sgd", OuterLr = 1e6, CheckpointEvery = 1 };
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions(run.Workers, Threads: 1), TestContext.Current.CancellationToken);
        var status = await cluster.RunToEndAsync(run, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(RunState.Failed, status.State);
        var match = Regex.Match(status.Error ?? "", @"^step (\d+): the (training loss|outer gradient) is not finite \((NaN|infinite) in \d+ .*of \d+ (tasks|elements)\)$");
        Assert.True(match.Success, $"unexpected error: {status.Error}");
        int diverged = int.Parse(match.Groups[1].Value);
        Assert.InRange(diverged, 2, 39);

        string checkpoints = Path.Combine(outDir, "checkpoints");
        Assert.False(File.Exists(Path.Combine(checkpoints, "final.ckpt")));
        Assert.False(File.Exists(Path.Combine(checkpoints, $"step-{diverged:D8}.ckpt")));
        var lastGood = Checkpoint.Load(Path.Combine(checkpoints, $"step-{diverged - 1:D8}.ckpt"));
        Assert.Equal((long)(diverged - 1), lastGood.Step);
        Assert.All(lastGood.Theta, x => Assert.True(float.IsFinite(x)));
    }
}
