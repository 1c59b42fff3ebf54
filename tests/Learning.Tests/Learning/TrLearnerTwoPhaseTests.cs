using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Models;
using MetaCluster.Learning.Relations;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;
using static MetaCluster.Testing.Learning.TrLearnerReference;

namespace MetaCluster.Tests.Learning;

/// <summary>
/// The exact two-phase TRLearner step: tasks split over simulated workers, each adapting only
/// its own tasks, must give the gradient of the whole objective
/// (1/T) Σ_i ℓ(Q_i; θ_i) + λ L_TR computed by one-process autograd.
/// </summary>
public sealed class TrLearnerTwoPhaseTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void MamlRegressionGradientSplitOverWorkersEqualsOneProcessAutograd(int groups)
    {
        var family = new SinusoidTasks();
        var model = new Mlp(1, 5, 4, 1);
        var shape = new EpisodeShape(1, 4, 6);
        var rates = full(model.Layout.Count, Alpha, dtype: ScalarType.Float64);
        Check(family, model, shape, new Maml(new InnerLoopSettings(InnerSteps, Alpha), firstOrder: false), rates, tasks: 4, groups);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void MamlClassificationGradientSplitOverWorkersEqualsOneProcessAutograd(int groups)
    {
        // Classification uses normalised penultimate features as g_i, so the body must adapt
        // (with head-only adaptation every task has the same features and L_TR is identically 0).
        var family = new BlobTasks(ways: 3);
        var model = (Mlp)family.CreateModel();
        var shape = new EpisodeShape(3, 2, 2);
        var rates = full(model.Layout.Count, Alpha, dtype: ScalarType.Float64);
        Check(family, model, shape, new Maml(new InnerLoopSettings(InnerSteps, Alpha), firstOrder: false), rates, tasks: 4, groups);
    }

    [Fact]
    public void AnilRegressionGradientSplitOverWorkersEqualsOneProcessAutograd()
    {
        // TRLearner is a plug-in: the same worker code serves any algorithm's adapted models.
        var family = new SinusoidTasks();
        var model = new Mlp(1, 5, 4, 1);
        var rates = DirectAdaptation.HeadRates(model, Alpha);
        Check(family, model, new EpisodeShape(1, 4, 6), new Anil(new InnerLoopSettings(InnerSteps, Alpha)), rates, tasks: 4, groups: 2);
    }

    [Fact]
    public void WithLambdaZeroTheShardGradientIsThePlainOuterGradientOverT()
    {
        var family = new SinusoidTasks();
        var model = new Mlp(1, 5, 4, 1);
        var theta = model.Initialize(Seed, ScalarType.Float64);
        // The autograd path, as TRLearner's phases adapt through autograd: the comparison is exact.
        var maml = new Maml(new InnerLoopSettings(InnerSteps, Alpha), firstOrder: false, fusedKernels: false);
        long[] indices = [0, 1, 2];
        var shape = new EpisodeShape(1, 4, 6);
        using var batch = family.Sample(Seed, TaskStream.Train, Step, indices, shape).To(ScalarType.Float64, CPU);
        using var shard = RelationShard.Adapt(maml, model, theta, batch, indices, new MetaDataSampler(MetaDataStrategy.Random, 2), Seed, TaskStream.Train, Step);

        Assert.Throws<InvalidOperationException>(() => shard.Backward(zeros(3, 4), zeros(3, 6, 1), 3, 0.0));
        var g = shard.ComputeOutputs(MetaDataPool.Gather(family, Seed, TaskStream.Train, Step, shape, shard.MetaData).to(ScalarType.Float64));
        Assert.Equal([3L, 6L, 1L], g.shape);
        var gradient = shard.Backward(ones(3, 4, dtype: ScalarType.Float64), ones_like(g), 10, 0.0);
        var plain = maml.ComputeShard(model, theta, batch);

        GradientAssert.Close(gradient.data<double>().ToArray(), (plain.GradientSum / 10).data<double>().ToArray(), 1e-12);
        Assert.Equal(plain.TaskLosses, shard.TaskLosses);
        Assert.Throws<InvalidOperationException>(() => shard.Backward(zeros(3, 4), zeros(3, 6, 1), 3, 0.0));
    }

    private static void Check(ITaskFamily family, Mlp model, EpisodeShape shape, IMetaAlgorithm algorithm, Tensor rates, int tasks, int groups)
    {
        var theta = model.Initialize(Seed, ScalarType.Float64);
        var projections = TaskSimilarity.InitializeProjections(heads: 2, projectionSize: 3, featureSize: model.FeatureSize, Seed, ScalarType.Float64);
        var sampler = new MetaDataSampler(MetaDataStrategy.Hardest, PerTask);

        // Phase 1 on each worker: its own tasks only, interleaved so no worker holds a contiguous block.
        var shards = Enumerable.Range(0, groups).Select(g =>
        {
            var indices = Enumerable.Range(0, tasks).Where(i => i % groups == g).Select(i => (long)i).ToArray();
            using var batch = family.Sample(Seed, TaskStream.Train, Step, indices, shape).To(ScalarType.Float64, CPU);
            return RelationShard.Adapt(algorithm, model, theta, batch, indices, sampler, Seed, TaskStream.Train, Step);
        }).ToArray();
        try
        {
            // The coordinator orders everything by task index; workers rebuild X from the references alone.
            var references = shards.SelectMany(s => s.MetaData).OrderBy(r => r.TaskIndex).ThenBy(r => r.QuerySample).ToArray();
            var pooled = MetaDataPool.Gather(family, Seed, TaskStream.Train, Step, shape, references).to(ScalarType.Float64);
            var rows = new (long Task, Tensor Z, Tensor G)[tasks];
            foreach (var shard in shards)
            {
                var z = shard.Embeddings();
                var g = shard.ComputeOutputs(pooled);
                for (int r = 0; r < shard.TaskIndices.Count; r++) rows[shard.TaskIndices[r]] = (shard.TaskIndices[r], z[r], g[r]);
            }
            using var relation = RelationConsistency.Evaluate(stack(rows.Select(r => r.Z)), stack(rows.Select(r => r.G)), projections, Temperature);

            // Phase 2 on each worker, with its tasks' rows of the upstream gradients.
            var gradient = zeros_like(theta);
            foreach (var shard in shards)
            {
                var index = tensor(shard.TaskIndices.ToArray());
                gradient += shard.Backward(relation.EmbeddingGradients.index_select(0, index), relation.OutputGradients.index_select(0, index), tasks, Lambda);
            }

            var reference = Reference(family, model, shape, theta, projections, rates, tasks);
            Assert.Equal(reference.RelationLoss, relation.Loss, 10);
            GradientAssert.Close(gradient.data<double>().ToArray(), reference.Theta.data<double>().ToArray(), 1e-5);
            GradientAssert.Close((Lambda * relation.ProjectionGradients).flatten().data<double>().ToArray(), reference.Projections.flatten().data<double>().ToArray(), 1e-5);
            // L_TR's share is large enough that dropping or mis-weighting it would fail the check.
            Assert.True((reference.Theta - reference.LossOnly).norm().item<double>() > 1e-3 * reference.Theta.norm().item<double>());
        }
        finally
        {
            foreach (var shard in shards) shard.Dispose();
        }
    }
}
