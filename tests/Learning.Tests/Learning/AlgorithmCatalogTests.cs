using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Learning;

public sealed class AlgorithmCatalogTests
{
    public static TheoryData<string> Names() => [.. AlgorithmCatalog.Names];

    [Fact]
    public void TheBriefsAlgorithmsAreAllRegistered()
    {
        foreach (var name in new[] { "maml", "fomaml", "anil", "metasgd", "protonet", "matchingnet", "mtl", "reptile" })
            Assert.Equal(name, AlgorithmCatalog.Create(name, new InnerLoopSettings(1, 0.1)).Name);
        Assert.Contains("unknown algorithm 'leo'", Assert.Throws<ArgumentException>(() => AlgorithmCatalog.Create("leo", new InnerLoopSettings(1, 0.1))).Message);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryAlgorithmTrainsAndEvaluatesInFloat32OnRegressionAndClassification(string name)
    {
        var algorithm = AlgorithmCatalog.Create(name, new InnerLoopSettings(2, 0.05));
        foreach (ITaskFamily family in new ITaskFamily[] { new HarmonicTasks(), new BlobTasks(ways: 3) })
        {
            var model = family is HarmonicTasks ? new Mlp(1, 8, 8, 1) : family.CreateModel();
            var shape = family.Kind == TaskKind.Regression ? new EpisodeShape(1, 5, 7) : new EpisodeShape(3, 2, 3);
            using var batch = family.Sample(1, TaskStream.Train, 0, [0, 1, 2], shape);
            var theta = algorithm.InitializeMetaParameters(model, 3);
            Assert.Equal(algorithm.MetaLayout(model).Count, theta.shape[0]);

            if (family.Kind == TaskKind.Regression && AlgorithmCatalog.NeedsClassification(name))
            {
                Assert.Throws<ArgumentException>(() => algorithm.ComputeShard(model, theta, batch));
                continue;
            }
            var outcome = algorithm.ComputeShard(model, theta, batch);
            Assert.Equal(ScalarType.Float32, outcome.GradientSum.dtype);
            Assert.Equal(theta.shape, outcome.GradientSum.shape);
            Assert.True(outcome.GradientSum.isfinite().all().item<bool>());
            Assert.True(outcome.GradientSum.norm().item<float>() > 0);
            Assert.Equal([3L, (long)model.FeatureSize], outcome.TaskEmbeddings.shape);
            Assert.All(outcome.TaskLosses, l => Assert.True(double.IsFinite(l) && l > 0));

            var evaluation = algorithm.Evaluate(model, theta, batch, [0, 2]);
            Assert.Equal(3, evaluation.Metrics.GetLength(0));
            Assert.Equal(2, evaluation.Metrics.GetLength(1));
        }
    }
}
