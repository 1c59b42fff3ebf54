using MetaCluster.Coordinator.Steps;
using MetaCluster.Testing.Faults;
using System.Text.Json;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.Cli;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Models;
using MetaCluster.Learning.Relations;
using MetaCluster.Learning.Tasks;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.TaskWorker.Execution;
using Microsoft.Extensions.DependencyInjection;
using static TorchSharp.torch;
using MetaCluster.Abstractions;
using MetaCluster.Embedded;
using TwoPhase = MetaCluster.Testing.Learning.TrLearnerReference;

namespace MetaCluster.Tests.Cluster;

/// <summary>
/// TRLearner's exact two-phase step across workers: adapt and keep the graphs, pool the
/// meta-data, relate the tasks on the coordinator, backpropagate on the workers.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TrLearnerDistributedTests
{
    private const int Tasks = 8;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task TwoPhaseMetaGradientThroughTheClusterEqualsOneProcessAutogradOfTheWholeObjective(int workers)
    {
        var definition = new RunDefinition
        {
            Task = "sinusoid", Algorithm = "maml", Shots = 5, Query = 10, MetaBatch = Tasks, InnerSteps = TwoPhase.InnerSteps,
            InnerLr = TwoPhase.Alpha, Seed = TwoPhase.Seed, TrLambda = TwoPhase.Lambda, TrTau = TwoPhase.Temperature,
            TrMetaData = TwoPhase.PerTask, TrSampler = "hardest",
        };
        var family = new SinusoidTasks();
        var model = (Mlp)family.CreateModel();
        var maml = new Maml(new InnerLoopSettings(definition.InnerSteps, definition.InnerLr), firstOrder: false);
        using var theta = maml.InitializeMetaParameters(model, definition.Seed);
        using var projections = TaskSimilarity.InitializeProjections(heads: 2, projectionSize: 3, featureSize: model.FeatureSize, definition.Seed);

        // The cluster: one shard per worker, every tensor over gRPC.
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions(workers, Threads: 1), TestContext.Current.CancellationToken);
        cluster.Services.GetRequiredService<ParameterPublisher>().Publish("tr-gradient", version: 3, theta.data<float>().ToArray());
        var work = new RoundWork("tr-gradient", TwoPhase.Step, 3, Tasks, definition.ToSpec(), cluster.DataPlaneUrl, ShardRequest.WorkOneofCase.Train);
        RelationEvaluation? relation = null;
        var result = await cluster.Services.GetRequiredService<RelationRound>().RunAsync(work, ShardPlan.Split(Tasks, workers), (int)theta.numel(), TimeSpan.FromMinutes(2), maxRestarts: 8,
            (adapted, outputs) =>
            {
                relation?.Dispose();
                relation = RelationEvaluation.Evaluate(adapted, outputs, projections, TwoPhase.Temperature);
                return relation.Upstream;
            }, _ => { }, CancellationToken.None);
        using var _ = relation;
        using var gradient = result.Backward.Gradient!;

        Assert.Equal(workers, result.Adapted.Select(h => h.WorkerId).Distinct().Count());
        Assert.Equal(0, result.Retries);
        Assert.Equal(Enumerable.Range(0, Tasks).Select(i => (long)i), relation!.Tasks);
        Assert.Equal(0, cluster.Services.GetRequiredService<RelationShardStore>().Count);

        // One process: the whole objective (1/T) Σ ℓ(Q_i; θ_i) + λ L_TR, autograd in float64.
        var rates = full(model.Layout.Count, TwoPhase.Alpha, dtype: ScalarType.Float64);
        var reference = TwoPhase.Reference(family, model, new EpisodeShape(1, 5, 10), theta.to(ScalarType.Float64), projections.to(ScalarType.Float64), rates, Tasks);
        Assert.True(Math.Abs(relation.Gradients.Loss - reference.RelationLoss) <= 1e-5 * Math.Abs(reference.RelationLoss),
            $"L_TR {relation.Gradients.Loss} differs from the reference {reference.RelationLoss}");
        GradientAssert.Close(gradient.Values.Select(g => (double)g).ToArray(), reference.Theta.data<double>().ToArray(), 1e-5);
        GradientAssert.Close((TwoPhase.Lambda * relation.Gradients.ProjectionGradients).flatten().data<double>().ToArray(),
            reference.Projections.flatten().data<double>().ToArray(), 1e-5);
        // L_TR's share is large enough that dropping or mis-weighting it would fail the check.
        Assert.True((reference.Theta - reference.LossOnly).norm().item<double>() > 1e-3 * reference.Theta.norm().item<double>());
    }

    [Fact]
    public async Task AWorkerFailingBetweenPhaseOneAndPhaseTwoRestartsTheStepAndChangesNothing()
    {
        var undisturbed = await RunAsync(fault: false);
        var disturbed = await RunAsync(fault: true);

        Assert.Equal(0, undisturbed.Retries);
        Assert.True(disturbed.Retries > 0, "the injected failure did not make the step run again");
        Assert.Equal(5, disturbed.Final.Step);
        Assert.Equal(undisturbed.Final.Theta, disturbed.Final.Theta);
        Assert.Equal(undisturbed.Final.SecondMoment, disturbed.Final.SecondMoment);
    }

    [Fact]
    public async Task ATrainRunWithTrLambdaWritesARowStochasticRelationMatrixWithZeroDiagonal()
    {
        string outDir = ClusterRuns.TempDirectory();
        var output = new StringWriter();
        int exit = await CommandLine.RunAsync(
            ["train", "--task", "sinusoid", "--meta-steps", "4", "--meta-batch", "6", "--workers", "2", "--tr-lambda", "0.1",
             "--tr-meta-data", "3", "--tr-sampler", "random", "--eval-tasks", "10", "--log-every", "1", "--seed", "2", "--out", outDir],
            output, new StringWriter());
        Assert.True(exit == 0, output.ToString());

        using var relation = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "relation.json")));
        var root = relation.RootElement;
        Assert.Equal(4, root.GetProperty("step").GetInt32());
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (long)i), root.GetProperty("tasks").EnumerateArray().Select(t => t.GetInt64()));
        var matrix = root.GetProperty("matrix").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        Assert.Equal(6, matrix.Length);
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(6, matrix[i].Length);
            Assert.Equal(0.0, matrix[i][i]);
            Assert.Equal(1.0, matrix[i].Sum(), 9);
            Assert.All(matrix[i].Where((_, j) => j != i), v => Assert.True(v > 0));
        }
        var lines = File.ReadAllLines(Path.Combine(outDir, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(4, lines.Length);
        Assert.All(lines, l =>
        {
            Assert.True(l.GetProperty("tr_loss").GetDouble() >= 0);
            double entropy = l.GetProperty("relation_entropy").GetDouble();
            Assert.InRange(entropy, 0, Math.Log(5) + 1e-9);
        });
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.Equal(0.1, summary.RootElement.GetProperty("tr_lambda").GetDouble());
        Assert.Equal(10, summary.RootElement.GetProperty("eval").GetProperty("episodes").GetInt32());
        // Where a TRLearner step's time goes: every phase of the two-phase step, each a positive duration.
        var phases = summary.RootElement.GetProperty("step_phase_milliseconds").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        Assert.Equal(["relation_adapt", "relation_outputs", "relation", "relation_backward", "update"], phases.Keys);
        Assert.All(phases.Values, ms => Assert.True(ms > 0));
    }

    [Fact]
    public async Task TheSimilarityLayerIsTrainedAndCheckpointedWithThetaAndAResumedRunMatchesAnUninterruptedOne()
    {
        var straight = ClusterRuns.Sinusoid(workers: 2, shards: 2, steps: 4, ClusterRuns.TempDirectory()) with { MetaBatch = 6, TrLambda = 0.5, TrMetaData = 3, CheckpointEvery = 0 };
        var uninterrupted = await ClusterRuns.RunAsync(straight);

        // Stops after a checkpoint at step 2, then resumes from it to step 4.
        string outDir = ClusterRuns.TempDirectory();
        await ClusterRuns.RunAsync(straight with { OutputDirectory = outDir, MetaSteps = 3, CheckpointEvery = 2 });
        var resumed = await ClusterRuns.RunAsync(straight with { OutputDirectory = outDir, MetaSteps = 4, CheckpointEvery = 2, Resume = true });

        var model = new SinusoidTasks().CreateModel();
        var initialTheta = new Maml(new InnerLoopSettings(1, 0.01), false).InitializeMetaParameters(model, straight.Seed).data<float>().ToArray();
        var initialW = TaskSimilarity.InitializeProjections(straight.TrHeads, 32, model.FeatureSize, straight.Seed).flatten().data<float>().ToArray();
        var final = uninterrupted.Final.Theta;
        Assert.Equal(initialTheta.Length + initialW.Length, final.Length);
        Assert.NotEqual(initialW, final[initialTheta.Length..]);
        Assert.NotEqual(initialTheta, final[..initialTheta.Length]);
        Assert.Equal(final, resumed.Final.Theta);
        Assert.Equal(uninterrupted.Final.SecondMoment, resumed.Final.SecondMoment);
    }

    private static async Task<(long Retries, Checkpoint Final)> RunAsync(bool fault)
    {
        string outDir = ClusterRuns.TempDirectory();
        var run = ClusterRuns.Sinusoid(workers: 2, shards: 2, steps: 5, outDir) with { MetaBatch = 6, TrLambda = 0.5, TrMetaData = 3 };
        var faults = new WorkerFaults();
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions(run.Workers, Threads: 1) { ConfigureServices = faults.InjectInto });
        int injected = 0;
        if (fault)
        {
            // Shard 1's worker "dies" after step 2's phase 1: it loses its graphs and fails the backward phase, once.
            faults.BeforeShard = (_, request) =>
                request.Key is { Step: 2, Shard: 1 } && request.WorkCase == ShardRequest.WorkOneofCase.RelationBackward && Interlocked.Exchange(ref injected, 1) == 0
                    ? new InvalidOperationException("injected: worker lost between phase 1 and phase 2")
                    : null;
        }
        var status = await cluster.RunToEndAsync(run, cancellationToken: CancellationToken.None);
        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Error}");
        Assert.Equal(fault ? 1 : 0, injected);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        return (summary.RootElement.GetProperty("shard_retries").GetInt64(), Checkpoint.Load(Path.Combine(outDir, "checkpoints", "final.ckpt")));
    }
}
