using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Models;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Learning;

/// <summary>
/// MAML++'s multi-step loss and learned per-layer per-step inner rates against finite differences
/// of the objective written out one task at a time (<see cref="Objective"/>), and against plain MAML
/// where they must agree.
/// </summary>
public sealed class MamlPlusPlusTests
{
    private const int Steps = 3;
    private const double Alpha = 0.05;
    private readonly TinyRegressionProblem p = new(tasks: 2, shots: 4, query: 5);

    private int Entries => p.Model.Layout.Entries.Count;

    /// <summary>
    /// Σ over tasks of the outer loss, with plain gradient steps: step j of entry e uses
    /// rates[j, e]; the loss is the query loss after the last step, or with
    /// <paramref name="multiStep"/> the mean of the query losses after steps 1..k.
    /// </summary>
    private double Objective(Tensor theta, double[,] rates, bool multiStep)
    {
        double total = 0;
        for (int i = 0; i < p.Batch.Count; i++)
        {
            using var scope = NewDisposeScope();
            var weights = p.Model.Layout.Views(theta.detach().clone()).Select(w => w.unsqueeze(0).requires_grad_(true)).ToArray();
            var sx = p.Batch.SupportX[i].unsqueeze(0); var sy = p.Batch.SupportY[i].unsqueeze(0);
            var qx = p.Batch.QueryX[i].unsqueeze(0); var qy = p.Batch.QueryY[i].unsqueeze(0);
            var queryLosses = new List<double>();
            for (int k = 0; k < Steps; k++)
            {
                var loss = (p.Model.Forward(weights, sx) - sy).square().mean();
                var grads = autograd.grad([loss], weights);
                weights = weights.Select((w, e) => (w - rates[k, e] * grads[e]).detach().requires_grad_(true)).ToArray();
                using var noGrad = no_grad();
                queryLosses.Add((p.Model.Forward(weights, qx) - qy).square().mean().item<double>());
            }
            total += multiStep ? queryLosses.Average() : queryLosses[^1];
        }
        return total;
    }

    // Distinct rates per step and entry, so a rate read from the wrong place would show.
    private double[,] DistinctRates()
    {
        var rates = new double[Steps, Entries];
        for (int k = 0; k < Steps; k++)
            for (int e = 0; e < Entries; e++) rates[k, e] = Alpha * (1 + 0.3 * k - 0.1 * e);
        return rates;
    }

    private static double[,] Uniform(int steps, int entries, double value)
    {
        var rates = new double[steps, entries];
        for (int k = 0; k < steps; k++)
            for (int e = 0; e < entries; e++) rates[k, e] = value;
        return rates;
    }

    [Fact]
    public void TheMultiStepLossIsTheMeanOfTheQueryLossesAfterEveryStepAndItsGradientMatches()
    {
        var maml = new Maml(new InnerLoopSettings(Steps, Alpha, MultiStepLoss: true), firstOrder: false);
        Assert.False(maml.UsesFusedKernel(p.Model, p.Theta, p.Batch));
        var outcome = maml.ComputeShard(p.Model, p.Theta, p.Batch);
        var rates = Uniform(Steps, Entries, Alpha);

        Assert.Equal(Objective(p.Theta, rates, multiStep: true), outcome.TaskLosses.Sum(), 10);
        Assert.NotEqual(Objective(p.Theta, rates, multiStep: false), outcome.TaskLosses.Sum(), 6);
        var expected = DirectAdaptation.FiniteDifferenceGradient(p.Theta, t => Objective(t, rates, multiStep: true));
        GradientAssert.Close(outcome.GradientSum.data<double>().ToArray(), expected, 1e-6);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LearnedRatesAreOnePerEntryPerStepAndTheirGradientMatches(bool multiStep)
    {
        var maml = new Maml(new InnerLoopSettings(Steps, Alpha, multiStep, LearnedRates: true), firstOrder: false);
        var layout = maml.MetaLayout(p.Model);
        Assert.Equal(p.Model.Layout.Count + Steps * Entries, layout.Count);
        Assert.Equal("lr.step2." + p.Model.Layout.Entries[^1].Name, layout.Entries[^1].Name);
        var initial = maml.InitializeMetaParameters(p.Model, 7, ScalarType.Float64);
        Assert.Equal(p.Theta.data<double>().ToArray(), initial.narrow(0, 0, p.Model.Layout.Count).data<double>().ToArray());
        Assert.All(initial.narrow(0, p.Model.Layout.Count, Steps * Entries).data<double>().ToArray(), r => Assert.Equal(Alpha, r));

        var rates = DistinctRates();
        var meta = cat([p.Theta, tensor(rates.Cast<double>().ToArray(), ScalarType.Float64)]);
        var outcome = maml.ComputeShard(p.Model, meta, p.Batch);

        long count = p.Model.Layout.Count;
        double F(Tensor m)
        {
            var r = m.narrow(0, count, Steps * Entries).contiguous().data<double>().ToArray();
            var grid = new double[Steps, Entries];
            for (int k = 0; k < Steps; k++)
                for (int e = 0; e < Entries; e++) grid[k, e] = r[k * Entries + e];
            return Objective(m.narrow(0, 0, count), grid, multiStep);
        }
        Assert.Equal(F(meta), outcome.TaskLosses.Sum(), 10);
        var expected = DirectAdaptation.FiniteDifferenceGradient(meta, F);
        GradientAssert.Close(outcome.GradientSum.data<double>().ToArray(), expected, 1e-6);
        // The rates really get a gradient.
        Assert.True(outcome.GradientSum.narrow(0, count, Steps * Entries).abs().min().item<double>() > 0);
    }

    [Fact]
    public void LearnedRatesStartingAtAlphaGiveThetaPlainMamlsGradientAndEvaluation()
    {
        var plain = new Maml(new InnerLoopSettings(Steps, Alpha), firstOrder: false, fusedKernels: false);
        var learned = new Maml(new InnerLoopSettings(Steps, Alpha, LearnedRates: true), firstOrder: false);
        var meta = learned.InitializeMetaParameters(p.Model, 7, ScalarType.Float64);

        var a = plain.ComputeShard(p.Model, p.Theta, p.Batch).GradientSum.data<double>().ToArray();
        var b = learned.ComputeShard(p.Model, meta, p.Batch).GradientSum.narrow(0, 0, p.Model.Layout.Count).data<double>().ToArray();
        GradientAssert.Close(a, b, 1e-12);

        // Past the trained k steps the evaluation keeps using step k's rates (here all α).
        int[] counts = [0, 1, Steps, 2 * Steps];
        var expected = plain.Evaluate(p.Model, p.Theta, p.Batch, counts).Metrics;
        var actual = learned.Evaluate(p.Model, meta, p.Batch, counts).Metrics;
        for (int i = 0; i < p.Batch.Count; i++)
            for (int j = 0; j < counts.Length; j++) Assert.Equal(expected[i, j], actual[i, j], 10);
    }
    [Fact]
    public void FirstOrderLearnedRatesGetMinusTheQueryGradientDottedWithEachStepsSupportGradient()
    {
        // First order: w_k = θ − Σ_j r[j, e]·g_j with every support gradient g_j a constant, so
        // ∂L/∂θ = ∇L(w_k) and ∂L/∂r[j, e] = −⟨∇_e L(w_k), g_j,e⟩, summed over tasks.
        var maml = new Maml(new InnerLoopSettings(Steps, Alpha, LearnedRates: true), firstOrder: true);
        var rates = DistinctRates();
        var meta = cat([p.Theta, tensor(rates.Cast<double>().ToArray(), ScalarType.Float64)]);
        var outcome = maml.ComputeShard(p.Model, meta, p.Batch);

        var thetaGrad = new double[p.Model.Layout.Count];
        var rateGrad = new double[Steps * Entries];
        for (int i = 0; i < p.Batch.Count; i++)
        {
            using var scope = NewDisposeScope();
            var weights = p.Model.Layout.Views(p.Theta.detach().clone()).Select(w => w.unsqueeze(0).requires_grad_(true)).ToArray();
            var supportGrads = new List<Tensor[]>();
            for (int k = 0; k < Steps; k++)
            {
                var loss = (p.Model.Forward(weights, p.Batch.SupportX[i].unsqueeze(0)) - p.Batch.SupportY[i].unsqueeze(0)).square().mean();
                var grads = autograd.grad([loss], weights).Select(g => g.detach()).ToArray();
                supportGrads.Add(grads);
                weights = weights.Select((w, e) => (w - rates[k, e] * grads[e]).detach().requires_grad_(true)).ToArray();
            }
            var query = (p.Model.Forward(weights, p.Batch.QueryX[i].unsqueeze(0)) - p.Batch.QueryY[i].unsqueeze(0)).square().mean();
            var queryGrads = autograd.grad([query], weights);
            var flat = cat(queryGrads.Select(g => g.flatten()).ToArray()).data<double>().ToArray();
            for (int n = 0; n < flat.Length; n++) thetaGrad[n] += flat[n];
            for (int k = 0; k < Steps; k++)
                for (int e = 0; e < Entries; e++)
                    rateGrad[k * Entries + e] -= (queryGrads[e] * supportGrads[k][e]).sum().item<double>();
        }
        GradientAssert.Close(outcome.GradientSum.data<double>().ToArray(), [.. thetaGrad, .. rateGrad], 1e-10);
    }
}
