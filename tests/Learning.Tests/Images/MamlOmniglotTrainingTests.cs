using System.Diagnostics;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Images;
using MetaCluster.Learning.Optimisation;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Images;

[Collection("Omniglot")]
public sealed class MamlOmniglotTrainingTests(OmniglotFixture omniglot, ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AFewMetaStepsOnFiveWayOneShotOmniglotLowerTheHeldOutLoss(bool firstOrder)
    {
        const ulong seed = 17;
        // Small enough for two shared CPU cores: 32 filters instead of 64, 2 tasks per meta-batch,
        // 3 queries per class. The model and the algorithm are the full ones.
        const int steps = 10, metaBatch = 2;
        var shape = new EpisodeShape(5, 1, 3);
        var (train, evaluation) = ImageSplit.Apply(omniglot.Union, ImageSelection.ByGroups(OmniglotData.Small1Groups), null);
        var tasks = new ImageTasks(train, evaluation, new ImageTaskOptions(Ways: 5, HiddenChannels: 32));
        var model = tasks.CreateModel();
        // MAML's Omniglot settings: one inner step with α = 0.4; Adam with 1e-3 outside.
        var maml = new Maml(new InnerLoopSettings(1, 0.4), firstOrder);
        var theta = maml.InitializeMetaParameters(model, seed);
        using var adam = new Adam(1e-3);
        using var heldOut = tasks.Sample(seed, TaskStream.Evaluation, 0, Enumerable.Range(0, 8).Select(i => (long)i).ToArray(), shape);

        double before = maml.ComputeShard(model, theta, heldOut).TaskLosses.Average();
        var watch = Stopwatch.StartNew();
        var losses = new List<double>();
        for (int step = 0; step < steps; step++)
        {
            using var batch = tasks.Sample(seed, TaskStream.Train, step, Enumerable.Range(0, metaBatch).Select(i => (long)i).ToArray(), shape);
            var outcome = maml.ComputeShard(model, theta, batch);
            Assert.All(outcome.TaskLosses, l => Assert.True(double.IsFinite(l), $"step {step}: loss {l}"));
            losses.Add(outcome.TaskLosses.Average());
            using var gradient = outcome.GradientSum / metaBatch;
            adam.Apply(theta, gradient);
        }
        double after = maml.ComputeShard(model, theta, heldOut).TaskLosses.Average();
        output.WriteLine($"{maml.Name}: {steps} steps in {watch.Elapsed.TotalSeconds:F1} s; train loss {string.Join(" ", losses.Select(l => l.ToString("F2")))}; held-out {before:F3} -> {after:F3}");

        Assert.True(double.IsFinite(before) && double.IsFinite(after));
        Assert.True(after < before - 0.05, $"held-out query loss after adaptation went from {before:F3} to {after:F3}");
        Assert.True(losses.TakeLast(3).Average() < losses.Take(3).Average(), "the meta-training loss did not go down");
    }
}
