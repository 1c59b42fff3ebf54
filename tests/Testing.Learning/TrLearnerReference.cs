using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Testing.Learning;

/// <summary>
/// TRLearner's exact two-phase step written out in one process: the reference that both the
/// simulated-worker tests and the cluster tests check the distributed step against.
/// </summary>
public static class TrLearnerReference
{
    public const ulong Seed = 21;
    public const long Step = 4;
    public const double Lambda = 0.8, Temperature = 0.5, Alpha = 0.1;
    public const int InnerSteps = 2, PerTask = 3;

    /// <summary>
    /// The whole objective in one process, written out task by task: second-order adaptation with
    /// per-parameter rates (all α: MAML; head only: ANIL), the m hardest query samples, z_i, g_i(X),
    /// s_ij and A_ij by explicit sums, L_TR, then one autograd call.
    /// </summary>
    public static (Tensor Theta, Tensor Projections, Tensor LossOnly, double RelationLoss) Reference(
        ITaskFamily family, Mlp model, EpisodeShape shape, Tensor theta0, Tensor projections0, Tensor rates, int tasks)
    {
        bool classification = family.Kind == TaskKind.Classification;
        using var batch = family.Sample(Seed, TaskStream.Train, Step, Enumerable.Range(0, tasks).Select(i => (long)i).ToArray(), shape).To(ScalarType.Float64, CPU);
        var theta = theta0.detach().clone().requires_grad_(true);
        var w = projections0.detach().clone().requires_grad_(true);

        var adapted = new Tensor[tasks];
        var embeddings = new Tensor[tasks];
        var chosenInputs = new List<Tensor>();
        Tensor lossSum = zeros(1, dtype: ScalarType.Float64);
        for (int i = 0; i < tasks; i++)
        {
            adapted[i] = DirectAdaptation.AdaptWithGraph(model, theta, batch.SupportX[i], batch.SupportY[i], InnerSteps, rates, classification);
            var output = DirectAdaptation.Forward(model, adapted[i], batch.QueryX[i]);
            var perSample = classification
                ? nn.functional.cross_entropy(output, batch.QueryY[i], reduction: nn.Reduction.None)
                : (output - batch.QueryY[i]).square().mean([1]);
            lossSum = lossSum + perSample.mean();
            var values = perSample.detach().data<double>().ToArray();
            var hardest = Enumerable.Range(0, values.Length).OrderByDescending(j => values[j]).Take(PerTask).Order().ToArray();
            var inputs = batch.QueryX[i].index_select(0, tensor(hardest.Select(j => (long)j).ToArray()));
            chosenInputs.Add(inputs);
            embeddings[i] = DirectAdaptation.Features(model, adapted[i], inputs).mean([0]);
        }
        var pooled = cat(chosenInputs);
        var g = adapted.Select(a =>
        {
            if (!classification) return DirectAdaptation.Forward(model, a, pooled);
            var f = DirectAdaptation.Features(model, a, pooled);
            return f / f.square().sum([1], keepdim: true).sqrt();
        }).ToArray();

        int heads = (int)w.shape[0];
        var s = new Tensor[tasks, tasks];
        for (int i = 0; i < tasks; i++)
            for (int j = 0; j < tasks; j++)
            {
                Tensor sum = zeros(1, dtype: ScalarType.Float64);
                for (int h = 0; h < heads; h++)
                {
                    var pi = matmul(w[h], embeddings[i]);
                    var pj = matmul(w[h], embeddings[j]);
                    sum = sum + (pi * pj).sum() / (pi.square().sum().sqrt() * pj.square().sum().sqrt());
                }
                s[i, j] = sum / heads;
            }
        Tensor relationLoss = zeros(1, dtype: ScalarType.Float64);
        for (int i = 0; i < tasks; i++)
        {
            var others = Enumerable.Range(0, tasks).Where(j => j != i).ToArray();
            Tensor normaliser = zeros(1, dtype: ScalarType.Float64);
            foreach (int j in others) normaliser = normaliser + (s[i, j] / Temperature).exp();
            Tensor mixture = zeros_like(g[i]);
            foreach (int j in others) mixture = mixture + (s[i, j] / Temperature).exp() / normaliser * g[j];
            relationLoss = relationLoss + (g[i] - mixture).square().sum();
        }
        relationLoss = relationLoss / tasks;

        var lossOnly = autograd.grad([lossSum / tasks], [theta], retain_graph: true)[0];
        var total = lossSum / tasks + Lambda * relationLoss;
        var grads = autograd.grad([total], [theta, w]);
        return (grads[0], grads[1], lossOnly, relationLoss.item<double>());
    }
}
