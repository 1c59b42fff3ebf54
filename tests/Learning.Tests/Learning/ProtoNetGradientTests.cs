using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Learning;

public sealed class ProtoNetGradientTests
{
    private const int Tasks = 2, Ways = 3, Shots = 2, QueryPerClass = 2, InputSize = 2;
    private readonly Mlp model = new(InputSize, 4, 3, 5);
    private readonly Tensor theta;
    private readonly TaskBatch batch;

    public ProtoNetGradientTests()
    {
        theta = model.Initialize(11, ScalarType.Float64);
        // Labels in a scrambled order, so prototypes must really be grouped by label.
        long[] supportLabels = [2, 0, 1, 0, 2, 1];
        long[] queryLabels = [1, 2, 0, 0, 2, 1];
        var random = new TaskRandom(5, 0, 0, 0);
        Tensor Inputs(long[] labels) => tensor(Enumerable.Range(0, Tasks).SelectMany(_ => labels)
            .SelectMany(label => new[] { label + 0.7 * random.NextGaussian(), -label + 0.7 * random.NextGaussian() })
            .ToArray(), [Tasks, labels.Length, InputSize]);
        Tensor Labels(long[] labels) => tensor(Enumerable.Range(0, Tasks).SelectMany(_ => labels).ToArray(), [Tasks, labels.Length]);
        batch = new TaskBatch(TaskKind.Classification, Inputs(supportLabels), Labels(supportLabels), Inputs(queryLabels), Labels(queryLabels));
    }

    /// <summary>Per-task logits written out directly: class means by a loop, then −squared distances.</summary>
    private Tensor DirectLogits(Tensor flat, int task)
    {
        var weights = model.Layout.Views(flat).Select(v => v.unsqueeze(0)).ToArray();
        var support = model.Features(weights, batch.SupportX[task].unsqueeze(0))[0];
        var query = model.Features(weights, batch.QueryX[task].unsqueeze(0))[0];
        var labels = batch.SupportY[task].data<long>().ToArray();
        var logits = new Tensor[Ways];
        for (int c = 0; c < Ways; c++)
        {
            var members = Enumerable.Range(0, labels.Length).Where(k => labels[k] == c).Select(k => support[k]).ToArray();
            var prototype = stack(members).sum([0]) / members.Length;
            logits[c] = -(query - prototype).square().sum([1]);
        }
        return stack(logits, 1);
    }

    private double Objective(Tensor flat)
    {
        double total = 0;
        for (int i = 0; i < Tasks; i++)
        {
            var logits = DirectLogits(flat, i);
            var labels = batch.QueryY[i].data<long>().ToArray();
            var logNormaliser = logits.exp().sum([1]).log();
            double loss = 0;
            for (int q = 0; q < labels.Length; q++)
                loss += logNormaliser[q].item<double>() - logits[q, labels[q]].item<double>();
            total += loss / labels.Length;
        }
        return total;
    }

    [Fact]
    public void MetaGradientEqualsCentralFiniteDifferences()
    {
        var outcome = new ProtoNet().ComputeShard(model, theta, batch);
        var expected = DirectAdaptation.FiniteDifferenceGradient(theta, Objective);

        GradientAssert.Close(outcome.GradientSum.data<double>().ToArray(), expected, 1e-6);
        Assert.Equal(Objective(theta), outcome.TaskLosses.Sum(), 10);
    }

    [Fact]
    public void TheHeadIsUnusedAndGetsNoGradient()
    {
        var outcome = new ProtoNet().ComputeShard(model, theta, batch);
        var entries = model.Layout.Entries;
        for (int e = entries.Count - model.HeadEntryCount; e < entries.Count; e++)
            Assert.Equal(0.0, outcome.GradientSum.narrow(0, entries[e].Offset, entries[e].Count).abs().max().item<double>());
    }

    [Fact]
    public void EvaluationIsTheNearestPrototypeAccuracyForEveryStepCount()
    {
        var outcome = new ProtoNet().Evaluate(model, theta, batch, [0, 5]);
        for (int i = 0; i < Tasks; i++)
        {
            var predicted = DirectLogits(theta, i).argmax(1).data<long>().ToArray();
            var labels = batch.QueryY[i].data<long>().ToArray();
            double accuracy = predicted.Zip(labels).Count(p => p.First == p.Second) / (double)labels.Length;
            Assert.Equal(accuracy, outcome.Metrics[i, 0], 12);
            Assert.Equal(accuracy, outcome.Metrics[i, 1], 12);
        }
    }

    [Fact]
    public void RegressionBatchesAreRejectedByName()
    {
        var p = new TinyRegressionProblem();
        var error = Assert.Throws<ArgumentException>(() => new ProtoNet().ComputeShard(p.Model, p.Theta, p.Batch));
        Assert.Contains("classification", error.Message);
        Assert.Contains("regression", error.Message);
    }

    [Fact]
    public void AClassWithoutSupportExamplesIsNamed()
    {
        var labels = tensor(new long[] { 2, 0, 1, 0, 2, 1, 0, 0, 1, 0, 1, 1 }, [Tasks, 6]);
        var missing = new TaskBatch(TaskKind.Classification, batch.SupportX, labels, batch.QueryX, batch.QueryY);
        var error = Assert.Throws<ArgumentException>(() => new ProtoNet().ComputeShard(model, theta, missing));
        Assert.Contains("task 1 has no support example of class 2", error.Message);
    }
}
