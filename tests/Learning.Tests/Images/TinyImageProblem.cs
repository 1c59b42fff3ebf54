using MetaCluster.Tests.Learning;
using MetaCluster.Learning.Images;
using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Images;

/// <summary>
/// A CNN-4 small enough for finite differences in float64: 2 tasks, 2-way 1-shot with 2 query
/// images per class, 16×16 single-channel images (the least that survives four poolings), 2 filters.
/// </summary>
internal sealed class TinyImageProblem
{
    public Cnn4 Model { get; } = new(ways: 2, inputChannels: 1, height: 16, width: 16, hiddenChannels: 2);
    public TaskBatch Batch { get; }
    public Tensor Theta { get; }

    public TinyImageProblem(ulong seed = 5)
    {
        var random = new TaskRandom(seed, 0, 0, 0);
        Tensor Images(int n) => tensor(Enumerable.Range(0, 2 * n * 16 * 16).Select(_ => random.NextDouble()).ToArray(), [2, n, 1, 16, 16]);
        Batch = new TaskBatch(TaskKind.Classification,
            Images(2), tensor(new long[] { 0, 1, 1, 0 }, [2, 2]),
            Images(4), tensor(new long[] { 0, 0, 1, 1, 1, 1, 0, 0 }, [2, 4]));
        Theta = Model.Initialize(seed, ScalarType.Float64);
    }

    /// <summary>
    /// Σ_i ℓ(Q_i; θ_i) written out one task at a time with plain gradient steps and
    /// cross-entropy: an independent computation of what MAML differentiates.
    /// </summary>
    public double Objective(Tensor theta, int innerSteps, double innerLr)
    {
        double total = 0;
        for (int i = 0; i < Batch.Count; i++)
        {
            using var scope = NewDisposeScope();
            var weights = Model.Layout.Views(theta.detach().clone()).Select(w => w.unsqueeze(0).requires_grad_(true)).ToArray();
            for (int k = 0; k < innerSteps; k++)
            {
                var logits = Model.Forward(weights, Batch.SupportX[i].unsqueeze(0))[0];
                var loss = nn.functional.cross_entropy(logits, Batch.SupportY[i]);
                var grads = autograd.grad([loss], weights);
                weights = weights.Zip(grads, (w, g) => (w - innerLr * g).detach().requires_grad_(true)).ToArray();
            }
            using var noGrad = no_grad();
            var query = Model.Forward(weights, Batch.QueryX[i].unsqueeze(0))[0];
            total += nn.functional.cross_entropy(query, Batch.QueryY[i]).item<double>();
        }
        return total;
    }

    /// <summary>Central finite differences of <see cref="Objective"/> in every coordinate.</summary>
    public double[] FiniteDifferenceGradient(int innerSteps, double innerLr, double h = 1e-6) =>
        DirectAdaptation.FiniteDifferenceGradient(Theta, t => Objective(t, innerSteps, innerLr), h);
}
