using System.Diagnostics;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Images;
using MetaCluster.Learning.Optimisation;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Images;

[Collection("Omniglot")]
public sealed class MatchingNetworksOmniglotTests(OmniglotFixture omniglot, ITestOutputHelper output)
{
    [Fact]
    public void AShortRunOnFiveWayOneShotOmniglotIsClearlyAboveChanceOnUnseenAlphabets()
    {
        const ulong seed = 3;
        // Small enough for two shared CPU cores: 32 filters, 4 tasks of 5 queries per class a step.
        const int steps = 40, metaBatch = 4, heldOutTasks = 40;
        var shape = new EpisodeShape(5, 1, 5);
        var (train, evaluation) = ImageSplit.Apply(omniglot.Union, ImageSelection.ByGroups(OmniglotData.Small1Groups), ImageSelection.ByGroups(OmniglotData.HeldOutGroups));
        var tasks = new ImageTasks(train, evaluation, new ImageTaskOptions(Ways: 5, HiddenChannels: 32));
        var model = tasks.CreateModel();
        var matching = new MatchingNetworks();
        var theta = matching.InitializeMetaParameters(model, seed);
        using var adam = new Adam(1e-3);
        using var heldOut = tasks.Sample(seed, TaskStream.Evaluation, 0, Enumerable.Range(0, heldOutTasks).Select(i => (long)i).ToArray(), shape);
        double Accuracy() => matching.Evaluate(model, theta, heldOut, [0]).Metrics.Cast<double>().Average();

        double before = Accuracy();
        var watch = Stopwatch.StartNew();
        var losses = new List<double>();
        for (int step = 0; step < steps; step++)
        {
            using var batch = tasks.Sample(seed, TaskStream.Train, step, Enumerable.Range(0, metaBatch).Select(i => (long)i).ToArray(), shape);
            var outcome = matching.ComputeShard(model, theta, batch);
            losses.Add(outcome.TaskLosses.Average());
            using var gradient = outcome.GradientSum / metaBatch;
            adam.Apply(theta, gradient);
        }
        double after = Accuracy();
        output.WriteLine($"matchingnet: {steps} steps in {watch.Elapsed.TotalSeconds:F1} s; held-out 5-way 1-shot accuracy {before:P1} -> {after:P1}; " +
            $"train loss {losses.Take(5).Average():F3} -> {losses.TakeLast(5).Average():F3}");

        // Chance is 20 %; 40 episodes of 25 queries put the interval's half-width near 4 points.
        Assert.True(after >= 0.6, $"held-out accuracy {after:P1} after {steps} steps (chance: 20 %)");
        Assert.True(after > before, $"training did not raise the held-out accuracy ({before:P1} -> {after:P1})");
        Assert.True(losses.TakeLast(5).Average() < losses.Take(5).Average(), "the meta-training loss did not go down");
    }
}
