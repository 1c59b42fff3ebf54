using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Models;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Learning;

public sealed class MamlGradientTests
{
    [Theory]
    [InlineData(1, true)]
    [InlineData(3, true)]
    [InlineData(1, false)]
    [InlineData(3, false)]
    public void SecondOrderMetaGradientEqualsCentralFiniteDifferences(int innerSteps, bool fusedKernels)
    {
        // fusedKernels: the hand-written MLP kernel (FusedMlpMaml); otherwise libtorch autograd.
        var problem = new TinyRegressionProblem();
        var maml = new Maml(new InnerLoopSettings(innerSteps, 0.05), firstOrder: false, fusedKernels);
        Assert.Equal(fusedKernels, maml.UsesFusedKernel(problem.Model, problem.Theta, problem.Batch));

        var outcome = maml.ComputeShard(problem.Model, problem.Theta, problem.Batch);
        var expected = problem.FiniteDifferenceGradient(innerSteps, 0.05);

        GradientAssert.Close(outcome.GradientSum.data<double>().ToArray(), expected, 1e-6);
        Assert.Equal(problem.Objective(problem.Theta, innerSteps, 0.05), outcome.TaskLosses.Sum(), 10);
    }

    [Fact]
    public void FirstOrderDiffersFromSecondOrderByExactlyTheHessianTerm()
    {
        // One inner step: θ' = θ − α∇ℓ_S(θ). Second order: (I − α∇²ℓ_S(θ)) ∇ℓ_Q(θ').
        // First order: ∇ℓ_Q(θ'). The difference is −α ∇²ℓ_S(θ) ∇ℓ_Q(θ'), computed here per task
        // as a Hessian-vector product by double backward.
        const double alpha = 0.1;
        var problem = new TinyRegressionProblem();
        var second = new Maml(new InnerLoopSettings(1, alpha), firstOrder: false).ComputeShard(problem.Model, problem.Theta, problem.Batch);
        var first = new Maml(new InnerLoopSettings(1, alpha), firstOrder: true).ComputeShard(problem.Model, problem.Theta, problem.Batch);

        var term = zeros_like(problem.Theta);
        for (int i = 0; i < problem.Batch.Count; i++)
        {
            var theta = problem.Theta.detach().clone().requires_grad_(true);
            var weights = problem.Model.Layout.Views(theta).Select(w => w.unsqueeze(0)).ToArray();
            var supportLoss = (problem.Model.Forward(weights, problem.Batch.SupportX[i].unsqueeze(0)) - problem.Batch.SupportY[i].unsqueeze(0)).square().mean();
            var supportGrad = autograd.grad([supportLoss], [theta], retain_graph: true, create_graph: true)[0];

            var adapted = (theta - alpha * supportGrad).detach().requires_grad_(true);
            var adaptedWeights = problem.Model.Layout.Views(adapted).Select(w => w.unsqueeze(0)).ToArray();
            var queryLoss = (problem.Model.Forward(adaptedWeights, problem.Batch.QueryX[i].unsqueeze(0)) - problem.Batch.QueryY[i].unsqueeze(0)).square().mean();
            var queryGrad = autograd.grad([queryLoss], [adapted])[0].detach();

            var hessianVector = autograd.grad([(supportGrad * queryGrad).sum()], [theta])[0];
            term += -alpha * hessianVector;
        }

        var difference = (second.GradientSum - first.GradientSum).data<double>().ToArray();
        GradientAssert.Close(difference, term.data<double>().ToArray(), 1e-9);
        // The term is not negligible, so the test tells the two orders apart.
        Assert.True(term.norm().item<double>() > 1e-3 * first.GradientSum.norm().item<double>());
    }

    [Fact]
    public void FirstOrderGradientIsTheQueryGradientAtTheAdaptedParameters()
    {
        var problem = new TinyRegressionProblem();
        var first = new Maml(new InnerLoopSettings(2, 0.05), firstOrder: true).ComputeShard(problem.Model, problem.Theta, problem.Batch);
        // Finite differences of the query loss with the adapted point's displacement frozen.
        var expected = new double[problem.Model.Layout.Count];
        for (int i = 0; i < problem.Batch.Count; i++)
        {
            var weights = problem.Model.Layout.Views(problem.Theta.clone()).Select(w => w.unsqueeze(0).requires_grad_(true)).ToArray();
            for (int k = 0; k < 2; k++)
            {
                var loss = (problem.Model.Forward(weights, problem.Batch.SupportX[i].unsqueeze(0)) - problem.Batch.SupportY[i].unsqueeze(0)).square().mean();
                var grads = autograd.grad([loss], weights);
                weights = weights.Zip(grads, (w, g) => (w - 0.05 * g).detach().requires_grad_(true)).ToArray();
            }
            var query = (problem.Model.Forward(weights, problem.Batch.QueryX[i].unsqueeze(0)) - problem.Batch.QueryY[i].unsqueeze(0)).square().mean();
            var g = autograd.grad([query], weights).Select(t => t.flatten()).ToArray();
            var flat = cat(g).data<double>().ToArray();
            for (int p = 0; p < flat.Length; p++) expected[p] += flat[p];
        }
        GradientAssert.Close(first.GradientSum.data<double>().ToArray(), expected, 1e-12);
    }

    [Fact]
    public void EvaluationAfterZeroStepsIsTheUnadaptedQueryLossAndAdaptationHelps()
    {
        var problem = new TinyRegressionProblem(tasks: 4);
        var maml = new Maml(new InnerLoopSettings(1, 0.05), firstOrder: false);
        var outcome = maml.Evaluate(problem.Model, problem.Theta, problem.Batch, [0, 1, 5]);
        double unadapted = problem.Objective(problem.Theta, 0, 0.05);
        double afterFive = problem.Objective(problem.Theta, 5, 0.05);
        double sum0 = 0, sum5 = 0;
        for (int i = 0; i < 4; i++) { sum0 += outcome.Metrics[i, 0]; sum5 += outcome.Metrics[i, 2]; }
        Assert.Equal(unadapted, sum0, 10);
        Assert.Equal(afterFive, sum5, 10);
    }
}
