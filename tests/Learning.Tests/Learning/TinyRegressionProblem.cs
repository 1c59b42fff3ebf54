using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Learning;

/// <summary>A tiny float64 MLP and a few sinusoid tasks, small enough for finite differences.</summary>
internal sealed class TinyRegressionProblem
{
    public Mlp Model { get; } = new(1, 5, 4, 1);
    public TaskBatch Batch { get; }
    public Tensor Theta { get; }

    public TinyRegressionProblem(int tasks = 3, int shots = 4, int query = 6, ulong seed = 7)
    {
        Batch = new SinusoidTasks().Sample(seed, TaskStream.Train, step: 3,
            Enumerable.Range(0, tasks).Select(i => (long)i).ToArray(), new EpisodeShape(1, shots, query))
            .To(ScalarType.Float64, CPU);
        Theta = Model.Initialize(seed, ScalarType.Float64);
    }

    /// <summary>
    /// The meta-objective Σ_i ℓ(Q_i; θ_i) written out directly, one task at a time, with plain
    /// gradient steps: an independent computation of what the algorithm differentiates.
    /// </summary>
    public double Objective(Tensor theta, int innerSteps, double innerLr)
    {
        double total = 0;
        for (int i = 0; i < Batch.Count; i++)
        {
            using var scope = NewDisposeScope();
            var weights = Model.Layout.Views(theta.detach().clone()).Select(w => w.unsqueeze(0).requires_grad_(true)).ToArray();
            var sx = Batch.SupportX[i].unsqueeze(0); var sy = Batch.SupportY[i].unsqueeze(0);
            for (int k = 0; k < innerSteps; k++)
            {
                var loss = (Model.Forward(weights, sx) - sy).square().mean();
                var grads = autograd.grad([loss], weights);
                weights = weights.Zip(grads, (w, g) => (w - innerLr * g).detach().requires_grad_(true)).ToArray();
            }
            using var noGrad = no_grad();
            var q = (Model.Forward(weights, Batch.QueryX[i].unsqueeze(0)) - Batch.QueryY[i].unsqueeze(0)).square().mean();
            total += q.item<double>();
        }
        return total;
    }

    /// <summary>Central finite differences of <see cref="Objective"/> in every coordinate.</summary>
    public double[] FiniteDifferenceGradient(int innerSteps, double innerLr, double h = 1e-6) =>
        DirectAdaptation.FiniteDifferenceGradient(Theta, t => Objective(t, innerSteps, innerLr), h);
}
