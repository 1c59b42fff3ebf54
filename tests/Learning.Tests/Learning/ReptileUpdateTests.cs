using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Optimisation;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Learning;

/// <summary>
/// Reptile against an independent computation: the 1-5-4-1 ReLU network's forward and backward
/// passes written out as plain loops over doubles (no autograd, no tensors), k steps of
/// w ← w − α∇ℓ(S ∪ Q; w) per task, then θ ← θ + ε·(1/T) Σᵢ (θ̃ᵢ − θ) by hand.
/// </summary>
public sealed class ReptileUpdateTests
{
    private const double Alpha = 0.05;
    private const int Steps = 3;
    private static readonly int[] Sizes = [1, 5, 4, 1];

    // The flat layout of Mlp: per layer, weight [out, in] row-major, then bias [out].
    private static int Offset(int layer) => Enumerable.Range(0, layer).Sum(l => Sizes[l + 1] * Sizes[l] + Sizes[l + 1]);

    // ∇ of (1/N) Σₙ (f(xₙ; w) − yₙ)² by backpropagation in loops.
    private static double[] Gradient(double[] w, double[] xs, double[] ys)
    {
        var grad = new double[w.Length];
        int layers = Sizes.Length - 1;
        for (int n = 0; n < xs.Length; n++)
        {
            var acts = new double[layers + 1][];
            acts[0] = [xs[n]];
            for (int l = 0; l < layers; l++)
            {
                int o = Offset(l), fin = Sizes[l], fout = Sizes[l + 1];
                acts[l + 1] = new double[fout];
                for (int j = 0; j < fout; j++)
                {
                    double z = w[o + fout * fin + j];
                    for (int i = 0; i < fin; i++) z += w[o + j * fin + i] * acts[l][i];
                    acts[l + 1][j] = l + 1 < layers ? Math.Max(0, z) : z;
                }
            }
            var delta = new[] { 2 * (acts[layers][0] - ys[n]) / xs.Length };
            for (int l = layers - 1; l >= 0; l--)
            {
                int o = Offset(l), fin = Sizes[l], fout = Sizes[l + 1];
                var below = new double[fin];
                for (int j = 0; j < fout; j++)
                {
                    grad[o + fout * fin + j] += delta[j];
                    for (int i = 0; i < fin; i++)
                    {
                        grad[o + j * fin + i] += delta[j] * acts[l][i];
                        below[i] += delta[j] * w[o + j * fin + i];
                    }
                }
                if (l > 0) for (int i = 0; i < fin; i++) below[i] = acts[l][i] > 0 ? below[i] : 0;
                delta = below;
            }
        }
        return grad;
    }

    private static double[] Row(Tensor t) => t.to(ScalarType.Float64).flatten().data<double>().ToArray();

    // θ̃ᵢ for every task: plain gradient descent on the task's support and query sets together.
    private static double[][] Adapted(TinyRegressionProblem p, double[] theta) => Enumerable.Range(0, p.Batch.Count).Select(t =>
    {
        var xs = Row(p.Batch.SupportX[t]).Concat(Row(p.Batch.QueryX[t])).ToArray();
        var ys = Row(p.Batch.SupportY[t]).Concat(Row(p.Batch.QueryY[t])).ToArray();
        var w = (double[])theta.Clone();
        for (int k = 0; k < Steps; k++)
        {
            var g = Gradient(w, xs, ys);
            for (int i = 0; i < w.Length; i++) w[i] -= Alpha * g[i];
        }
        return w;
    }).ToArray();

    [Fact]
    public void TheShardsDirectionIsTheSumOfThetaMinusEachTasksAdaptedWeights()
    {
        var p = new TinyRegressionProblem(tasks: 4);
        var theta = Row(p.Theta);
        var adapted = Adapted(p, theta);
        var expected = Enumerable.Range(0, theta.Length).Select(i => adapted.Sum(a => theta[i] - a[i])).ToArray();

        var outcome = new Reptile(new InnerLoopSettings(Steps, Alpha)).ComputeShard(p.Model, p.Theta, p.Batch);
        var actual = Row(outcome.GradientSum);

        Assert.True(Math.Sqrt(expected.Sum(e => e * e)) > 1e-3, "the tasks did not move the weights: the comparison would prove nothing");
        GradientAssert.Close(actual, expected, 1e-10);
        // The reported loss is each task's merged loss under its adapted weights.
        Assert.Equal(4, outcome.TaskLosses.Length);
        Assert.All(outcome.TaskLosses, l => Assert.True(double.IsFinite(l) && l >= 0));
    }

    [Fact]
    public void OneOuterSgdStepMovesThetaByEpsilonTowardsTheMeanAdaptedWeights()
    {
        const double epsilon = 0.7;
        var p = new TinyRegressionProblem(tasks: 3);
        var theta = Row(p.Theta);
        var adapted = Adapted(p, theta);
        var expected = theta.Select((w, i) => w + epsilon * adapted.Average(a => a[i] - w)).ToArray();

        // The coordinator's path: the shard's sum, divided by T, given to SGD at rate ε (float32 θ).
        var outcome = new Reptile(new InnerLoopSettings(Steps, Alpha)).ComputeShard(p.Model, p.Theta, p.Batch);
        var sum = Row(outcome.GradientSum).Select(x => (float)x).ToArray();
        var updated = theta.Select(x => (float)x).ToArray();
        new OuterOptimizer(new OuterOptimizerSettings(OuterOptimizerKind.Sgd, epsilon)).ApplySum(updated, sum, p.Batch.Count);

        double moved = Math.Sqrt(theta.Select((w, i) => (expected[i] - w) * (expected[i] - w)).Sum());
        Assert.True(moved > 1e-3, "the update did not move θ: the comparison would prove nothing");
        GradientAssert.Close(updated.Select(x => (double)x).ToArray(), expected, 1e-6);
    }

    [Fact]
    public void WithOneTaskAndEpsilonOneThetaBecomesTheAdaptedWeights()
    {
        var p = new TinyRegressionProblem(tasks: 1);
        var adapted = Adapted(p, Row(p.Theta))[0];
        var outcome = new Reptile(new InnerLoopSettings(Steps, Alpha)).ComputeShard(p.Model, p.Theta, p.Batch);
        var theta = Row(p.Theta).Select(x => (float)x).ToArray();
        new OuterOptimizer(new OuterOptimizerSettings(OuterOptimizerKind.Sgd, 1.0)).ApplySum(theta, Row(outcome.GradientSum).Select(x => (float)x).ToArray(), 1);
        for (int i = 0; i < adapted.Length; i++) Assert.Equal(adapted[i], theta[i], 1e-6);
    }
}
