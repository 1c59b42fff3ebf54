using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Images;
using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Images;

public sealed class Cnn4Tests
{
    [Fact]
    public void OmniglotSizesGiveSixtyFourFeaturesAndTheStandardParameterCount()
    {
        var model = new Cnn4(ways: 5);
        // 4 blocks of 3x3 convs (1->64, then 64->64, no bias) with γ and β, and a 64->5 head.
        Assert.Equal(64 * 9 + 128 + 3 * (64 * 64 * 9 + 128) + 64 * 5 + 5, model.Layout.Count);
        Assert.Equal(64, model.FeatureSize);
        Assert.Equal(["head.weight", "head.bias"], model.Layout.Entries.TakeLast(model.HeadEntryCount).Select(e => e.Name));

        var weights = PerTask(model, model.Initialize(1), 3);
        var x = rand([3, 7, 1, 28, 28]);
        Assert.Equal([3, 7, 64], model.Features(weights, x).shape);
        Assert.Equal([3, 7, 5], model.Forward(weights, x).shape);
        var miniImageNet = new Cnn4(5, inputChannels: 3, height: 84, width: 84, hiddenChannels: 32);
        Assert.Equal([2, 4, 32 * 5 * 5], miniImageNet.Features(PerTask(miniImageNet, miniImageNet.Initialize(1), 2), rand([2, 4, 3, 84, 84])).shape);
    }

    [Fact]
    public void EachTaskUsesOnlyItsOwnWeightsAndImages()
    {
        // Folding tasks into channel groups must not mix them: the batched forward pass equals
        // the forward pass of each task alone, each with its own distinct weights.
        var model = new Cnn4(ways: 3, hiddenChannels: 8);
        var theta = model.Initialize(2, ScalarType.Float64);
        var perTask = Enumerable.Range(0, 3).Select(i => theta + 0.05 * randn_like(theta)).ToArray();
        var weights = Enumerable.Range(0, model.Layout.Entries.Count)
            .Select(e => stack(perTask.Select(p => model.Layout.Views(p)[e]).ToArray())).ToArray();
        var x = rand([3, 6, 1, 28, 28], dtype: ScalarType.Float64);

        var batched = model.Forward(weights, x);
        for (int i = 0; i < 3; i++)
        {
            var alone = model.Forward(model.Layout.Views(perTask[i]).Select(w => w.unsqueeze(0)).ToArray(), x[i].unsqueeze(0));
            Assert.True(allclose(batched[i], alone[0], rtol: 1e-10, atol: 1e-12), $"task {i} differs when batched");
        }
        Assert.False(allclose(batched[0], batched[1]));
    }

    [Fact]
    public void BatchNormUsesTheStatisticsOfEachTasksOwnImages()
    {
        var model = new Cnn4(ways: 2, hiddenChannels: 4);
        var weights = PerTask(model, model.Initialize(3, ScalarType.Float64), 2);
        var x = rand([2, 4, 1, 16, 16], dtype: ScalarType.Float64);
        var changed = x.clone();
        changed[0, 3] = rand([1, 16, 16], dtype: ScalarType.Float64);

        var before = model.Forward(weights, x);
        var after = model.Forward(weights, changed);
        // Transductive: another image of the same task moves image 0's output …
        Assert.False(allclose(before[0, 0], after[0, 0], rtol: 1e-6, atol: 1e-9));
        // … but never another task's.
        Assert.True(allclose(before[1], after[1], rtol: 0, atol: 0));
        // At the start every block's output (before ReLU) has zero mean per task and channel,
        // so an image batch with all pixels scaled keeps its outputs: conv is linear, and
        // batch norm removes the scale (up to its ε).
        var scaled = model.Forward(weights, x * 3.0);
        Assert.True(allclose(before, scaled, rtol: 1e-3, atol: 1e-4));
    }

    [Fact]
    public void InitialisationIsDeterministicAndFollowsPyTorchDefaults()
    {
        var model = new Cnn4(ways: 5);
        var theta = model.Initialize(7, ScalarType.Float64);
        Assert.True(theta.equal(model.Initialize(7, ScalarType.Float64)).all().item<bool>());
        Assert.False(theta.equal(model.Initialize(8, ScalarType.Float64)).all().item<bool>());

        var views = model.Layout.Views(theta);
        foreach (var (entry, view) in model.Layout.Entries.Zip(views))
        {
            var values = view.flatten().data<double>().ToArray();
            if (entry.Name.EndsWith("norm.weight")) { Assert.All(values, v => Assert.Equal(1.0, v)); continue; }
            if (entry.Name.EndsWith("norm.bias")) { Assert.All(values, v => Assert.Equal(0.0, v)); continue; }
            double bound = 1 / Math.Sqrt(entry.Name.StartsWith("head") ? 64 : entry.Shape[1] * 9);
            Assert.All(values, v => Assert.InRange(Math.Abs(v), 0, bound));
            // Uniform over the whole range, not a narrower one (where there are enough draws to tell).
            if (values.Length >= 100) Assert.True(values.Max() > 0.9 * bound && values.Min() < -0.9 * bound, entry.Name);
        }
    }

    // θ (flat) shared by every task, as MAML hands it to the model: [T, …] views.
    private static Tensor[] PerTask(IFunctionalModel model, Tensor flat, int tasks) =>
        model.Layout.Views(flat).Select(v => v.unsqueeze(0).expand([tasks, .. v.shape])).ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ChannelsLastKeepsTheImagesAndPutsChannelsInnermostInMemory(int channels)
    {
        var images = rand([4, channels, 6, 5]);
        var converted = Cnn4.ChannelsLast(images);
        Assert.Equal(images.shape, converted.shape);
        Assert.True(converted.eq(images).all().item<bool>());
        // NHWC strides: channel 1, column C, row W·C, image H·W·C.
        Assert.Equal([6 * 5 * channels, 1, 5 * channels, channels], converted.stride());
    }

    [Fact]
    public void SecondOrderPassesAreMarkedOnlyInsideTheirScopeAndNest()
    {
        Assert.False(SecondOrderPasses.Active);
        using (SecondOrderPasses.Enter(active: false)) Assert.False(SecondOrderPasses.Active);
        Assert.False(SecondOrderPasses.Active);
        using (SecondOrderPasses.Enter())
        {
            using (SecondOrderPasses.Enter()) Assert.True(SecondOrderPasses.Active);
            Assert.True(SecondOrderPasses.Active);
            bool onAnotherThread = true;
            var thread = new Thread(() => onAnotherThread = SecondOrderPasses.Active);
            thread.Start();
            thread.Join();
            Assert.False(onAnotherThread);   // this thread only
        }
        Assert.False(SecondOrderPasses.Active);
    }

    [Fact]
    public void ProtoNetNormalisesEachEpisodesSupportAndQueryImagesAsOneBatch()
    {
        // As Snell et al.'s code: one forward pass over a task's K + Q images, so batch norm's
        // statistics are the whole episode's; two passes would give the support its own statistics.
        var problem = new TinyImageProblem();
        var batch = problem.Batch;
        var weights = PerTask(problem.Model, problem.Theta, batch.Count);
        Tensor LogitsFrom(Tensor support, Tensor query) => ProtoNet.Logits(support, batch.SupportY, query, batch.QueryY);
        long k = batch.SupportX.shape[1];
        var joint = problem.Model.Features(weights, cat([batch.SupportX, batch.QueryX], 1));
        var expected = LogitsFrom(joint.narrow(1, 0, k), joint.narrow(1, k, joint.shape[1] - k));
        var separate = LogitsFrom(problem.Model.Features(weights, batch.SupportX), problem.Model.Features(weights, batch.QueryX));

        var outcome = new ProtoNet().Evaluate(problem.Model, problem.Theta, batch, [0]);
        var predicted = tensor(outcome.Predictions!, outcome.PredictionShape, dtype: ScalarType.Float32).to(ScalarType.Float64);
        Assert.True(allclose(predicted, expected, rtol: 1e-5, atol: 1e-5), "ProtoNet's logits are not those of one pass per episode");
        Assert.False(allclose(separate, expected, rtol: 1e-3, atol: 1e-3), "the test cannot tell one pass from two");
    }

    [Fact]
    public void ImagesTooSmallForFourPoolingsAreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new Cnn4(5, 1, 8, 8));
        Assert.Contains("8x8", error.Message);
    }

    [Fact]
    public void FirstOrderMamlThroughTheCnnRunsAndDiffersFromSecondOrder()
    {
        var problem = new TinyImageProblem();
        var second = new Maml(new InnerLoopSettings(1, 0.3), firstOrder: false).ComputeShard(problem.Model, problem.Theta, problem.Batch);
        var first = new Maml(new InnerLoopSettings(1, 0.3), firstOrder: true).ComputeShard(problem.Model, problem.Theta, problem.Batch);
        // The same losses; the second-order support pass runs NCHW, the first-order one channels-last,
        // so they agree to rounding, not bit for bit.
        Assert.All(second.TaskLosses.Zip(first.TaskLosses), p => Assert.Equal(p.First, p.Second, 1e-12));
        double gap = (second.GradientSum - first.GradientSum).norm().item<double>();
        Assert.True(gap > 1e-3 * first.GradientSum.norm().item<double>(), $"orders differ by only {gap:E2}");
        Assert.Equal([2, problem.Model.FeatureSize], first.TaskEmbeddings.shape);
    }
}
