using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Learning;

public sealed class MatchingNetworksGradientTests
{
    private const int Tasks = 2, Ways = 3, InputSize = 2;
    private readonly Mlp model = new(InputSize, 8, 6, 5);
    private readonly Tensor theta;
    private readonly TaskBatch batch;

    public MatchingNetworksGradientTests()
    {
        theta = model.Initialize(13, ScalarType.Float64);
        // Scrambled labels with two shots per class, so the attention must really be summed per label.
        long[] supportLabels = [2, 0, 1, 0, 2, 1];
        long[] queryLabels = [1, 2, 0, 0, 2, 1];
        var random = new TaskRandom(7, 0, 0, 0);
        Tensor Inputs(long[] labels) => tensor(Enumerable.Range(0, Tasks).SelectMany(_ => labels)
            .SelectMany(label => new[] { label + 0.7 * random.NextGaussian(), -label + 0.7 * random.NextGaussian() })
            .ToArray(), [Tasks, labels.Length, InputSize]);
        Tensor Labels(long[] labels) => tensor(Enumerable.Range(0, Tasks).SelectMany(_ => labels).ToArray(), [Tasks, labels.Length]);
        batch = new TaskBatch(TaskKind.Classification, Inputs(supportLabels), Labels(supportLabels), Inputs(queryLabels), Labels(queryLabels));
        // A ReLU feature vector of all zeros has no direction; the cosine would be the ε-guarded 0.
        for (int t = 0; t < Tasks; t++)
            Assert.True(DirectAdaptation.Features(model, theta, cat([batch.SupportX[t], batch.QueryX[t]], 0)).norm(1).min().item<double>() > 1e-3);
    }

    /// <summary>
    /// One task's class probabilities written out in plain arithmetic: features by the model, then
    /// for every query and support pair the cosine by sums, the softmax by exponentials, and the
    /// class probability by adding the attention of the support examples with that label.
    /// </summary>
    private double[,] DirectProbabilities(Tensor flat, int task, double scale)
    {
        var features = DirectAdaptation.Features(model, flat, cat([batch.SupportX[task], batch.QueryX[task]], 0));
        int k = (int)batch.SupportX.shape[1], q = (int)batch.QueryX.shape[1], d = (int)features.shape[1];
        var f = features.data<double>().ToArray();
        var labels = batch.SupportY[task].data<long>().ToArray();
        double Dot(int a, int b) => Enumerable.Range(0, d).Sum(j => f[a * d + j] * f[b * d + j]);
        var p = new double[q, Ways];
        for (int n = 0; n < q; n++)
        {
            var exps = Enumerable.Range(0, k).Select(i => Math.Exp(scale * Dot(k + n, i) / Math.Sqrt(Dot(k + n, k + n) * Dot(i, i)))).ToArray();
            double total = exps.Sum();
            for (int i = 0; i < k; i++) p[n, labels[i]] += exps[i] / total;
        }
        return p;
    }

    private double Objective(Tensor flat, double scale)
    {
        double total = 0;
        for (int t = 0; t < Tasks; t++)
        {
            var p = DirectProbabilities(flat, t, scale);
            var labels = batch.QueryY[t].data<long>().ToArray();
            total += labels.Select((y, n) => -Math.Log(p[n, y] + MatchingNetworks.ProbabilityEpsilon)).Average();
        }
        return total;
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(MatchingNetworks.DefaultScale)]
    public void MetaGradientEqualsCentralFiniteDifferencesOfTheWrittenOutLoss(double scale)
    {
        var outcome = new MatchingNetworks(scale).ComputeShard(model, theta, batch);
        var expected = DirectAdaptation.FiniteDifferenceGradient(theta, flat => Objective(flat, scale));

        GradientAssert.Close(outcome.GradientSum.data<double>().ToArray(), expected, 1e-6);
        Assert.Equal(Objective(theta, scale), outcome.TaskLosses.Sum(), 10);
        Assert.True(outcome.GradientSum.norm().item<double>() > 1e-3, "a zero gradient would prove nothing");
    }

    [Fact]
    public void MetaGradientEqualsAutogradOfAnIndependentPerTaskComputation()
    {
        // The same objective through a different graph: one task at a time, F.cosine_similarity per
        // support example, log_softmax, then logsumexp over each class's support examples.
        var leaf = theta.detach().clone().requires_grad_(true);
        var losses = new List<Tensor>();
        for (int t = 0; t < Tasks; t++)
        {
            var support = DirectAdaptation.Features(model, leaf, batch.SupportX[t]);
            var query = DirectAdaptation.Features(model, leaf, batch.QueryX[t]);
            var labels = batch.SupportY[t].data<long>().ToArray();
            var similarities = stack(Enumerable.Range(0, labels.Length)
                .Select(i => nn.functional.cosine_similarity(query, support[i].unsqueeze(0).expand(query.shape), 1, 1e-8)).ToArray(), 1);
            var logAttention = nn.functional.log_softmax(similarities * MatchingNetworks.DefaultScale, 1);
            var queryLabels = batch.QueryY[t].data<long>().ToArray();
            var perQuery = queryLabels.Select((y, n) =>
            {
                var members = Enumerable.Range(0, labels.Length).Where(i => labels[i] == y).Select(i => logAttention[n, i]).ToArray();
                return -(stack(members).logsumexp(0).exp() + MatchingNetworks.ProbabilityEpsilon).log();
            }).ToArray();
            losses.Add(stack(perQuery).mean());
        }
        var expected = autograd.grad([stack(losses).sum()], [leaf])[0];

        var outcome = new MatchingNetworks().ComputeShard(model, theta, batch);
        GradientAssert.Close(outcome.GradientSum.data<double>().ToArray(), expected.data<double>().ToArray(), 1e-9);
    }

    [Fact]
    public void TheHeadIsUnusedAndGetsNoGradient()
    {
        var outcome = new MatchingNetworks().ComputeShard(model, theta, batch);
        var entries = model.Layout.Entries;
        for (int e = entries.Count - model.HeadEntryCount; e < entries.Count; e++)
            Assert.Equal(0.0, outcome.GradientSum.narrow(0, entries[e].Offset, entries[e].Count).abs().max().item<double>());
    }

    [Fact]
    public void EvaluationIsTheMostProbableClassForEveryStepCountAndPredictsLogProbabilities()
    {
        var outcome = new MatchingNetworks().Evaluate(model, theta, batch, [0, 5]);
        Assert.Equal([Tasks, 6L, Ways], outcome.PredictionShape);
        for (int t = 0; t < Tasks; t++)
        {
            var p = DirectProbabilities(theta, t, MatchingNetworks.DefaultScale);
            var labels = batch.QueryY[t].data<long>().ToArray();
            int correct = 0;
            for (int n = 0; n < labels.Length; n++)
            {
                int best = Enumerable.Range(0, Ways).MaxBy(c => p[n, c]);
                if (best == labels[n]) correct++;
                for (int c = 0; c < Ways; c++)
                    Assert.Equal(Math.Log(p[n, c] + MatchingNetworks.ProbabilityEpsilon), outcome.Predictions![(t * labels.Length + n) * Ways + c], 4);
            }
            Assert.Equal(correct / (double)labels.Length, outcome.Metrics[t, 0], 12);
            Assert.Equal(correct / (double)labels.Length, outcome.Metrics[t, 1], 12);
        }
    }

    [Fact]
    public void RegressionBatchesAreRejectedByName()
    {
        var p = new TinyRegressionProblem();
        var error = Assert.Throws<ArgumentException>(() => new MatchingNetworks().ComputeShard(p.Model, p.Theta, p.Batch));
        Assert.Contains("matchingnet needs a classification task family", error.Message);
        Assert.Contains("regression", error.Message);
        Assert.True(AlgorithmCatalog.NeedsClassification("matchingnet"));
    }
}
