using MetaCluster.Learning.Optimisation;

namespace MetaCluster.Tests.Learning;

/// <summary>
/// The outer optimiser's options against independent float64 computations of what PyTorch does:
/// torch.nn.utils.clip_grad_norm_, then torch.optim.AdamW or torch.optim.SGD (weight_decay), at the
/// rate of a linear warm-up followed by CosineAnnealingLR.
/// </summary>
public sealed class OuterOptimizerTests
{
    private const int Elements = 1_003; // not a multiple of any vector width: the scalar tail runs too
    private const int Divisor = 5;

    private static (float[] Theta, float[][] Sums) Problem(int steps, double gradientScale)
    {
        var random = new Random(17);
        var theta = Enumerable.Range(0, Elements).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var sums = Enumerable.Range(0, steps)
            .Select(_ => Enumerable.Range(0, Elements).Select(i => (float)((random.NextDouble() - 0.5) * gradientScale * Math.Pow(10, i % 5 - 2))).ToArray()).ToArray();
        return (theta, sums);
    }

    // Warm-up t/W, then half a cosine from lr to min over the remaining S − W updates.
    private static double Rate(int t, double lr, int warmup, int total, double min, bool cosine)
    {
        if (t <= warmup) return lr * t / warmup;
        if (!cosine) return lr;
        return min + (lr - min) * (1 + Math.Cos(Math.PI * (t - 1 - warmup) / (total - warmup))) / 2;
    }

    private static double[] Reference(float[] start, float[][] sums, bool adam, double lr, int warmup, bool cosine, double min, double clip, double decay)
    {
        var p = start.Select(x => (double)x).ToArray();
        var m = new double[p.Length];
        var v = new double[p.Length];
        for (int t = 1; t <= sums.Length; t++)
        {
            var g = sums[t - 1].Select(s => (double)s / Divisor).ToArray();
            if (clip > 0)
            {
                double norm = Math.Sqrt(g.Sum(x => x * x));
                double factor = Math.Min(1, clip / (norm + 1e-6));
                for (int i = 0; i < g.Length; i++) g[i] *= factor;
            }
            double rate = Rate(t, lr, warmup, sums.Length, min, cosine);
            for (int i = 0; i < p.Length; i++)
            {
                if (adam)
                {
                    p[i] *= 1 - rate * decay;
                    m[i] = 0.9 * m[i] + 0.1 * g[i];
                    v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                    p[i] -= rate / (1 - Math.Pow(0.9, t)) * m[i] / (Math.Sqrt(v[i]) / Math.Sqrt(1 - Math.Pow(0.999, t)) + 1e-8);
                }
                else p[i] -= rate * (g[i] + decay * p[i]);
            }
        }
        return p;
    }

    private static OuterOptimizer Optimizer(OuterOptimizerKind kind, double lr, int warmup, bool cosine, double min, double clip, double decay, int total) =>
        new(new OuterOptimizerSettings(kind, lr)
        {
            Schedule = new LearningRateSchedule(cosine ? LearningRateShape.Cosine : LearningRateShape.Constant, warmup, total, min),
            ClipGradNorm = clip,
            WeightDecay = decay,
        });

    [Theory]
    [InlineData(true, 0.01, 0, false, 0, 0, 0)]         // plain Adam
    [InlineData(true, 0.01, 3, true, 0.001, 0.5, 0.1)]  // AdamW, warm-up, cosine, clipping on every step
    [InlineData(true, 0.02, 2, false, 0, 50, 0.01)]     // clipping that never bites
    [InlineData(false, 0.5, 0, false, 0, 0, 0)]         // plain SGD
    [InlineData(false, 0.5, 2, true, 0.05, 0.3, 0.2)]   // SGD, L2 decay, warm-up, cosine, clipping
    public void EveryCombinationAppliesWhatPyTorchWould(bool adam, double lr, int warmup, bool cosine, double min, double clip, double decay)
    {
        const int steps = 8;
        var (start, sums) = Problem(steps, gradientScale: 2);
        var expected = Reference(start, sums, adam, lr, warmup, cosine, min, clip, decay);
        var optimizer = Optimizer(adam ? OuterOptimizerKind.Adam : OuterOptimizerKind.Sgd, lr, warmup, cosine, min, clip, decay, steps);
        var theta = (float[])start.Clone();
        foreach (var sum in sums) optimizer.ApplySum(theta, sum, Divisor);

        var actual = theta.Select(x => (double)x).ToArray();
        var initial = start.Select(x => (double)x).ToArray();
        Assert.True(GradientAssert.RelativeError(initial, expected) > 1e-3, "θ did not move: the comparison would prove nothing");
        Assert.True(GradientAssert.RelativeError(actual, expected) < 2e-6, $"relative error {GradientAssert.RelativeError(actual, expected):E2}");
        Assert.Equal(steps, optimizer.Step);
        Assert.Equal(adam, optimizer.FirstMoment is not null);
    }

    [Fact]
    public void WithoutOptionsTheUpdateIsPlainAdamToTheLastBit()
    {
        // The default run's figures rest on this: no schedule, clipping or decay changes no bit.
        var (start, sums) = Problem(4, gradientScale: 1);
        var optimizer = new OuterOptimizer(new OuterOptimizerSettings(OuterOptimizerKind.Adam, 0.001));
        var theta = (float[])start.Clone();
        var plain = (float[])start.Clone();
        var m = new float[Elements];
        var v = new float[Elements];
        for (int t = 0; t < sums.Length; t++)
        {
            var update = optimizer.ApplySum(theta, sums[t], Divisor);
            Assert.Equal(0.001, update.LearningRate);
            Assert.Equal(1f, update.GradientScale);
            Adam.Update(plain, sums[t], Divisor, m, v, new AdamSettings(0.001), t + 1);
        }
        Assert.Equal(plain, theta);
        Assert.Equal(v, optimizer.SecondMoment);
    }

    [Fact]
    public void TheScheduleWarmsUpLinearlyThenFollowsTheCosineToItsFloor()
    {
        var schedule = new LearningRateSchedule(LearningRateShape.Cosine, WarmupSteps: 2, TotalSteps: 6, MinLearningRate: 0.1);
        Assert.Equal(0.5, schedule.RateAt(1, 1), 12);
        Assert.Equal(1.0, schedule.RateAt(1, 2), 12);
        Assert.Equal(1.0, schedule.RateAt(1, 3), 12);                                     // p = 0
        Assert.Equal(0.1 + 0.9 * (1 + Math.Cos(Math.PI / 2)) / 2, schedule.RateAt(1, 5), 12); // p = 1/2
        Assert.Equal(0.1 + 0.9 * (1 + Math.Cos(0.75 * Math.PI)) / 2, schedule.RateAt(1, 6), 12);
        Assert.Equal(0.1, schedule.RateAt(1, 7), 12);                                     // past the end: the floor
        Assert.Equal(0.003, LearningRateSchedule.Constant.RateAt(0.003, 1_000_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.RateAt(1, 0));
    }

    [Fact]
    public void AnOptimizerRestoredFromItsStateContinuesExactly()
    {
        foreach (var kind in new[] { OuterOptimizerKind.Adam, OuterOptimizerKind.Sgd })
        {
            var (start, sums) = Problem(6, gradientScale: 3);
            var whole = Optimizer(kind, 0.05, 2, true, 0.01, 0.4, 0.05, 6);
            var theta = (float[])start.Clone();
            float[]? resumedTheta = null;
            OuterOptimizer? resumed = null;
            for (int t = 0; t < 6; t++)
            {
                whole.ApplySum(theta, sums[t], Divisor);
                if (t == 2)
                {
                    resumed = Optimizer(kind, 0.05, 2, true, 0.01, 0.4, 0.05, 6);
                    resumed.Restore(whole.Step, whole.FirstMoment?.ToArray(), whole.SecondMoment?.ToArray(), Elements);
                    resumedTheta = (float[])theta.Clone();
                }
                else if (t > 2) resumed!.ApplySum(resumedTheta!, sums[t], Divisor);
            }
            Assert.Equal(theta, resumedTheta);
        }
        // Adam's state after an update without its moments (an SGD run's checkpoint) is refused.
        Assert.Throws<InvalidDataException>(() => Optimizer(OuterOptimizerKind.Adam, 0.1, 0, false, 0, 0, 0, 6).Restore(3, null, null, Elements));
    }

    [Fact]
    public void NonFiniteValuesAreCountedByKindInTheVectorPartAndTheTail()
    {
        var values = Enumerable.Range(0, Elements).Select(i => (float)i).ToArray();
        Assert.True(GradientStatistics.CountNonFinite(values).AllFinite);
        values[3] = float.NaN;
        values[500] = float.PositiveInfinity;
        values[Elements - 1] = float.NegativeInfinity; // the scalar tail
        var count = GradientStatistics.CountNonFinite(values);
        Assert.Equal(new NonFiniteCount(1, 2, Elements), count);
        Assert.Equal($"NaN in 1 and infinite in 2 of {Elements} elements", count.Describe());
        Assert.False(GradientStatistics.AllFinite([1f, float.NaN]));
        Assert.Equal(1, NonFiniteCount.Of([1.0, double.NaN, 2.0]).NaN);
    }

    [Fact]
    public void ADivergedStepIsNamedInOneLineThatIsRecognisedAgain()
    {
        Assert.Null(TrainingDivergence.Problem(4, [0.5, 1.0], [1f, 2f]));
        string loss = TrainingDivergence.Problem(4, [0.5, double.NaN], [1f, float.NaN])!;
        Assert.Equal("step 5: the training loss is not finite (NaN in 1 of 2 tasks)", loss);
        string gradient = TrainingDivergence.Problem(0, [0.5], [1f, float.PositiveInfinity, 3f])!;
        Assert.Equal("step 1: the outer gradient is not finite (infinite in 1 of 3 elements)", gradient);
        Assert.True(TrainingDivergence.IsDivergence(loss));
        Assert.True(TrainingDivergence.IsDivergence(gradient));
        Assert.False(TrainingDivergence.IsDivergence("tasks.csv:2: column 'dose' is not a number"));
        Assert.False(TrainingDivergence.IsDivergence(null));
    }
}
