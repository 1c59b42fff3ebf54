using MetaCluster.Learning.Optimisation;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Learning;

public sealed class AdamTests
{
    private const int Elements = 1_003; // not a multiple of any vector width: the scalar tail runs too

    // torch.optim.Adam's update in float64.
    private static double[] Reference(double[] theta, IReadOnlyList<double[]> gradients, double lr, double b1 = 0.9, double b2 = 0.999, double eps = 1e-8)
    {
        var p = (double[])theta.Clone();
        var m = new double[p.Length];
        var v = new double[p.Length];
        for (int t = 1; t <= gradients.Count; t++)
        {
            var g = gradients[t - 1];
            for (int i = 0; i < p.Length; i++)
            {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                p[i] -= lr / (1 - Math.Pow(b1, t)) * m[i] / (Math.Sqrt(v[i]) / Math.Sqrt(1 - Math.Pow(b2, t)) + eps);
            }
        }
        return p;
    }

    private static (double[] Theta, double[][] Gradients) Problem(int steps)
    {
        var random = new Random(7);
        var theta = Enumerable.Range(0, Elements).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var gradients = Enumerable.Range(0, steps).Select(_ => Enumerable.Range(0, Elements).Select(i => (random.NextDouble() - 0.5) * Math.Pow(10, i % 7 - 4)).ToArray()).ToArray();
        return (theta, gradients);
    }

    private static double RelativeError(double[] actual, double[] expected) =>
        Math.Sqrt(actual.Zip(expected, (a, e) => (a - e) * (a - e)).Sum() / expected.Sum(e => e * e));

    [Theory]
    [InlineData(ScalarType.Float32, 1e-6)]  // the managed float32 pass
    [InlineData(ScalarType.Float64, 1e-13)] // libtorch's kernels
    public void EveryPathAppliesTorchOptimAdamsUpdate(ScalarType dtype, double tolerance)
    {
        var (start, gradients) = Problem(steps: 6);
        var expected = Reference(start, gradients, lr: 0.01);
        using var adam = new Adam(0.01);
        using var theta = tensor(start, dtype: dtype);
        foreach (var g in gradients)
        {
            using var gradient = tensor(g, dtype: dtype);
            adam.Apply(theta, gradient);
        }
        using var result = theta.to(ScalarType.Float64);
        var actual = result.data<double>().ToArray();
        var moved = RelativeError(start, expected);
        Assert.True(moved > 1e-3, "the parameters did not move: the comparison would prove nothing");
        Assert.True(RelativeError(actual, expected) < tolerance, $"relative error {RelativeError(actual, expected):E2}");
        Assert.Equal(6, adam.Step);
    }

    [Fact]
    public void AnUpdateRestoredFromSavedStateContinuesExactlyAsAnUninterruptedOne()
    {
        var (start, gradients) = Problem(steps: 4);
        using var a = new Adam(0.003);
        using var b = new Adam(0.003);
        using var thetaA = tensor(start, dtype: ScalarType.Float32);
        using var thetaB = tensor(start, dtype: ScalarType.Float32);
        for (int t = 0; t < 4; t++)
        {
            using var g = tensor(gradients[t], dtype: ScalarType.Float32);
            a.Apply(thetaA, g);
            if (t == 1) b.Restore(a.Step, a.FirstMoment!.clone(), a.SecondMoment!.clone());
            if (t <= 1) thetaB.copy_(thetaA);
            else b.Apply(thetaB, g);
        }
        Assert.Equal(thetaA.data<float>().ToArray(), thetaB.data<float>().ToArray());
    }
}
