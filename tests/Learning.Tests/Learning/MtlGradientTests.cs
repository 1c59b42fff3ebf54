using MetaCluster.Learning.Algorithms;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Learning;

public sealed class MtlGradientTests
{
    private const double Alpha = 0.1;
    private const int Steps = 3;

    private static (Tensor X, Tensor Y) Merged(TinyRegressionProblem p, int task) =>
        (cat([p.Batch.SupportX[task], p.Batch.QueryX[task]]), cat([p.Batch.SupportY[task], p.Batch.QueryY[task]]));

    /// <summary>Each task's head fitted on its merged support and query sets, as a displacement from θ (zero on the body).</summary>
    private static Tensor[] HeadDisplacements(TinyRegressionProblem p, int steps)
    {
        var rates = DirectAdaptation.HeadRates(p.Model, Alpha);
        return Enumerable.Range(0, p.Batch.Count).Select(i =>
        {
            var (x, y) = Merged(p, i);
            return DirectAdaptation.Adapt(p.Model, p.Theta, x, y, steps, rates) - p.Theta;
        }).ToArray();
    }

    [Fact]
    public void GradientIsTheMergedLossGradientAtTheFittedHeads()
    {
        var p = new TinyRegressionProblem();
        var outcome = new MultiTaskLearning(new InnerLoopSettings(Steps, Alpha)).ComputeShard(p.Model, p.Theta, p.Batch);

        // First order: the fitted heads' displacements are constants, so the gradient is that of
        // Σ_i ℓ(S_i ∪ Q_i; θ + Δ_i) with Δ_i frozen at θ.
        var displacements = HeadDisplacements(p, Steps);
        double Objective(Tensor theta) => Enumerable.Range(0, p.Batch.Count).Sum(i =>
        {
            var (x, y) = Merged(p, i);
            return DirectAdaptation.Loss(p.Model, theta + displacements[i], x, y).item<double>();
        });

        var expected = DirectAdaptation.FiniteDifferenceGradient(p.Theta, Objective);
        GradientAssert.Close(outcome.GradientSum.data<double>().ToArray(), expected, 1e-6);
        Assert.Equal(Objective(p.Theta), outcome.TaskLosses.Sum(), 10);
    }

    [Fact]
    public void TheHeadIsFittedOnSupportAndQueryMerged()
    {
        // Fitting on the support set alone gives different heads: the merge is observable.
        var p = new TinyRegressionProblem();
        using var adapted = new MultiTaskLearning(new InnerLoopSettings(Steps, Alpha)).Adapt(p.Model, p.Theta, p.Batch);
        var displacements = HeadDisplacements(p, Steps);
        var rates = DirectAdaptation.HeadRates(p.Model, Alpha);
        for (int i = 0; i < p.Batch.Count; i++)
        {
            var weights = cat(adapted.Weights.Select(w => w[i].detach().flatten()).ToArray());
            var expected = p.Theta + displacements[i];
            Assert.True((weights - expected).abs().max().item<double>() < 1e-12);
            var supportOnly = DirectAdaptation.Adapt(p.Model, p.Theta, p.Batch.SupportX[i], p.Batch.SupportY[i], Steps, rates);
            Assert.True((weights - supportOnly).abs().max().item<double>() > 1e-6);
        }
    }

    [Fact]
    public void EvaluationFineTunesOnlyTheLastLayerOnTheSupportSet()
    {
        var p = new TinyRegressionProblem(tasks: 4);
        var outcome = new MultiTaskLearning(new InnerLoopSettings(Steps, Alpha)).Evaluate(p.Model, p.Theta, p.Batch, [0, 4]);
        var rates = DirectAdaptation.HeadRates(p.Model, Alpha);
        for (int i = 0; i < 4; i++)
        {
            foreach (var (column, steps) in new[] { (0, 0), (1, 4) })
            {
                var adapted = DirectAdaptation.Adapt(p.Model, p.Theta, p.Batch.SupportX[i], p.Batch.SupportY[i], steps, rates);
                double expected = DirectAdaptation.Loss(p.Model, adapted, p.Batch.QueryX[i], p.Batch.QueryY[i]).item<double>();
                Assert.Equal(expected, outcome.Metrics[i, column], 10);
            }
        }
    }
}
