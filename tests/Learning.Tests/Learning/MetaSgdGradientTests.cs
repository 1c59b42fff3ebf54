using MetaCluster.Learning.Algorithms;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Learning;

public sealed class MetaSgdGradientTests
{
    /// <summary>Σ_i ℓ(Q_i; θ_i) with θ_i = θ − α ⊙ ∇ℓ(S_i; ·), k times, one task at a time; meta = [θ, α].</summary>
    private static double Objective(TinyRegressionProblem p, Tensor meta, int steps)
    {
        long count = p.Model.Layout.Count;
        var theta = meta.narrow(0, 0, count);
        var alpha = meta.narrow(0, count, count);
        double total = 0;
        for (int i = 0; i < p.Batch.Count; i++)
        {
            var adapted = DirectAdaptation.Adapt(p.Model, theta, p.Batch.SupportX[i], p.Batch.SupportY[i], steps, alpha);
            total += DirectAdaptation.Loss(p.Model, adapted, p.Batch.QueryX[i], p.Batch.QueryY[i]).item<double>();
        }
        return total;
    }

    /// <summary>θ from the problem, and α varied per parameter so a shared scalar rate could not pass.</summary>
    private static Tensor MetaParameters(TinyRegressionProblem p, MetaSgd algorithm)
    {
        var meta = algorithm.InitializeMetaParameters(p.Model, 7, ScalarType.Float64);
        long count = p.Model.Layout.Count;
        meta.narrow(0, 0, count).copy_(p.Theta);
        meta.narrow(0, count, count).mul_(linspace(0.5, 1.5, count, dtype: ScalarType.Float64));
        return meta;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void MetaGradientOverThetaAndAlphaEqualsCentralFiniteDifferences(int steps)
    {
        var p = new TinyRegressionProblem();
        var algorithm = new MetaSgd(new InnerLoopSettings(steps, 0.05));
        var meta = MetaParameters(p, algorithm);

        var outcome = algorithm.ComputeShard(p.Model, meta, p.Batch);
        var expected = DirectAdaptation.FiniteDifferenceGradient(meta, m => Objective(p, m, steps));

        GradientAssert.Close(outcome.GradientSum.data<double>().ToArray(), expected, 1e-6);
        Assert.Equal(Objective(p, meta, steps), outcome.TaskLosses.Sum(), 10);
        // The α half of the gradient is what makes Meta-SGD; it must be there, not zeros.
        long count = p.Model.Layout.Count;
        Assert.True(outcome.GradientSum.narrow(0, count, count).norm().item<double>() > 1e-3);
    }

    [Fact]
    public void MetaParametersAreThetaThenAlphaAtTheInnerLearningRate()
    {
        var p = new TinyRegressionProblem();
        var algorithm = new MetaSgd(new InnerLoopSettings(1, 0.05));
        var meta = algorithm.InitializeMetaParameters(p.Model, 7, ScalarType.Float64);
        var layout = algorithm.MetaLayout(p.Model);
        long count = p.Model.Layout.Count;

        Assert.Equal(2 * count, layout.Count);
        Assert.Equal(2 * count, meta.shape[0]);
        Assert.Equal(MetaSgd.RatePrefix + p.Model.Layout.Entries[0].Name, layout.Entries[p.Model.Layout.Entries.Count].Name);
        Assert.Equal(p.Model.Initialize(7, ScalarType.Float64).data<double>().ToArray(), meta.narrow(0, 0, count).data<double>().ToArray());
        Assert.All(meta.narrow(0, count, count).data<double>().ToArray(), a => Assert.Equal(0.05, a, 12));
    }

    [Fact]
    public void EvaluationUsesTheLearnedRates()
    {
        var p = new TinyRegressionProblem(tasks: 4);
        var algorithm = new MetaSgd(new InnerLoopSettings(1, 0.05));
        var meta = MetaParameters(p, algorithm);
        var outcome = algorithm.Evaluate(p.Model, meta, p.Batch, [2, 0]);
        double sum2 = 0, sum0 = 0;
        for (int i = 0; i < 4; i++) { sum2 += outcome.Metrics[i, 0]; sum0 += outcome.Metrics[i, 1]; }
        Assert.Equal(Objective(p, meta, 2), sum2, 10);
        Assert.Equal(Objective(p, meta, 0), sum0, 10);
    }

    [Fact]
    public void AVectorOfTheWrongLengthIsRejected()
    {
        var p = new TinyRegressionProblem();
        var error = Assert.Throws<ArgumentException>(() => new MetaSgd(new InnerLoopSettings(1, 0.05)).ComputeShard(p.Model, p.Theta, p.Batch));
        Assert.Contains("θ then α", error.Message);
    }
}
