using MetaCluster.Learning.Algorithms;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Learning;

public sealed class AnilGradientTests
{
    private const double Alpha = 0.1;

    /// <summary>Σ_i ℓ(Q_i; θ_i) where θ_i adapts only the head for k steps, one task at a time.</summary>
    private static double Objective(TinyRegressionProblem p, Tensor theta, int steps)
    {
        var rates = DirectAdaptation.HeadRates(p.Model, Alpha);
        double total = 0;
        for (int i = 0; i < p.Batch.Count; i++)
        {
            var adapted = DirectAdaptation.Adapt(p.Model, theta, p.Batch.SupportX[i], p.Batch.SupportY[i], steps, rates);
            total += DirectAdaptation.Loss(p.Model, adapted, p.Batch.QueryX[i], p.Batch.QueryY[i]).item<double>();
        }
        return total;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void SecondOrderMetaGradientEqualsCentralFiniteDifferences(int steps)
    {
        var p = new TinyRegressionProblem();
        var outcome = new Anil(new InnerLoopSettings(steps, Alpha)).ComputeShard(p.Model, p.Theta, p.Batch);

        var expected = DirectAdaptation.FiniteDifferenceGradient(p.Theta, t => Objective(p, t, steps));

        GradientAssert.Close(outcome.GradientSum.data<double>().ToArray(), expected, 1e-6);
        Assert.Equal(Objective(p, p.Theta, steps), outcome.TaskLosses.Sum(), 10);
    }

    [Fact]
    public void FirstOrderGradientIsTheQueryGradientWithTheHeadDisplacementFrozen()
    {
        const int steps = 2;
        var p = new TinyRegressionProblem();
        var outcome = new Anil(new InnerLoopSettings(steps, Alpha), firstOrder: true).ComputeShard(p.Model, p.Theta, p.Batch);

        var rates = DirectAdaptation.HeadRates(p.Model, Alpha);
        var displacements = Enumerable.Range(0, p.Batch.Count)
            .Select(i => DirectAdaptation.Adapt(p.Model, p.Theta, p.Batch.SupportX[i], p.Batch.SupportY[i], steps, rates) - p.Theta)
            .ToArray();
        double Frozen(Tensor theta) => Enumerable.Range(0, p.Batch.Count)
            .Sum(i => DirectAdaptation.Loss(p.Model, theta + displacements[i], p.Batch.QueryX[i], p.Batch.QueryY[i]).item<double>());

        var expected = DirectAdaptation.FiniteDifferenceGradient(p.Theta, Frozen);
        GradientAssert.Close(outcome.GradientSum.data<double>().ToArray(), expected, 1e-6);
    }

    [Fact]
    public void TheInnerLoopChangesOnlyTheHead()
    {
        var p = new TinyRegressionProblem();
        using var adapted = new Anil(new InnerLoopSettings(2, Alpha)).Adapt(p.Model, p.Theta, p.Batch);
        var original = p.Model.Layout.Views(p.Theta);
        int headStart = p.Model.Layout.Entries.Count - p.Model.HeadEntryCount;
        for (int e = 0; e < original.Length; e++)
        {
            var difference = (adapted.Weights[e].detach() - original[e].unsqueeze(0)).abs().max().item<double>();
            if (e < headStart) Assert.Equal(0.0, difference);
            else Assert.True(difference > 1e-6, $"head entry {e} did not move");
        }
    }

    [Fact]
    public void EvaluationFineTunesTheHeadOnly()
    {
        var p = new TinyRegressionProblem(tasks: 4);
        var outcome = new Anil(new InnerLoopSettings(1, Alpha)).Evaluate(p.Model, p.Theta, p.Batch, [0, 3]);
        double sum0 = 0, sum3 = 0;
        for (int i = 0; i < 4; i++) { sum0 += outcome.Metrics[i, 0]; sum3 += outcome.Metrics[i, 1]; }
        Assert.Equal(Objective(p, p.Theta, 0), sum0, 10);
        Assert.Equal(Objective(p, p.Theta, 3), sum3, 10);
    }
}
