using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.Output;
using MetaCluster.Coordinator.Runs;
using MetaCluster.Coordinator.Services;

namespace MetaCluster.Tests.Definitions;

/// <summary>Which validation is best, when a run stops early, what a resume carries over, and what the API reports.</summary>
public sealed class ValidationTrackerTests
{
    private static RunDefinition Run(int every = 2, int patience = 0, int steps = 20) => new() { ValEvery = every, EarlyStop = patience, MetaSteps = steps };

    [Fact]
    public void LowerMseAndHigherAccuracyImproveAndADivergedValidationNeverDoes()
    {
        var mse = new ValidationTracker(Run(), "mse");
        Assert.False(mse.Record(2, null));
        Assert.True(mse.Record(4, 0.5));
        Assert.False(mse.Record(6, 0.5));
        Assert.True(mse.Record(8, 0.4));
        Assert.False(mse.Record(10, null));
        Assert.Equal((8L, 0.4, 1, 5), (mse.BestStep, mse.BestValue!.Value, mse.SinceBest, mse.Count));

        var accuracy = new ValidationTracker(Run(), "accuracy");
        Assert.True(accuracy.Record(2, 0.5));
        Assert.False(accuracy.Record(4, 0.4));
        Assert.True(accuracy.Record(6, 0.6));
        Assert.Equal(6, accuracy.BestStep);
    }

    [Fact]
    public void ValidationsFallEveryValEveryStepsAndAtTheLastOnlyWhenEnabled()
    {
        var tracker = new ValidationTracker(Run(every: 3, steps: 10), "mse");
        Assert.Equal([3L, 6, 9, 10], Enumerable.Range(1, 10).Select(s => (long)s).Where(tracker.Due));
        Assert.DoesNotContain(Enumerable.Range(1, 10), s => new ValidationTracker(Run(every: 0), "mse").Due(s));
    }

    [Fact]
    public void EarlyStopComesAfterPatienceValidationsWithoutImprovementButNotAtTheLastStep()
    {
        var tracker = new ValidationTracker(Run(patience: 2, steps: 20), "mse");
        tracker.Record(2, 1.0);
        tracker.Record(4, 1.5);
        Assert.False(tracker.ShouldStop);
        tracker.Record(6, 1.0);
        Assert.Equal(6, tracker.StoppedEarlyAt);

        var atEnd = new ValidationTracker(Run(patience: 1, steps: 4), "mse");
        atEnd.Record(2, 1.0);
        atEnd.Record(4, 2.0);
        Assert.False(atEnd.ShouldStop);
    }

    [Fact]
    public void AResumeReplaysKeptValidationsAndKeepsOnlyTheBestCheckpointOfThatBest()
    {
        using var folder = new TempFolder();
        var output = new RunDirectory(folder.Path);
        foreach (var (step, validation) in new (long, double?)[] { (1, null), (2, 0.9), (3, null), (4, 0.7), (5, null), (6, 0.8), (8, 0.1) })
            output.AppendMetrics(new MetricsLine(step, 1, "mse", 1, 1, 1, 1, 0, Validation: validation));
        string checkpoints = Path.Combine(folder.Path, "checkpoints");
        Directory.CreateDirectory(checkpoints);
        string best = Path.Combine(checkpoints, RunRecorder.BestName);
        new Checkpoint("run", Run(), 4, 0, [1f, 2f], null, null).Save(best);

        var tracker = new ValidationTracker(Run(patience: 3), "mse");
        var kept = ValidationResume.Restore(output, checkpoints, 6, tracker);

        // Steps 2, 4, 6 validated (8 lies past the resume's checkpoint); 4 was best, and best.ckpt holds step 4.
        Assert.Equal((3, 4L, 0.7, 1), (tracker.Count, tracker.BestStep, tracker.BestValue!.Value, tracker.SinceBest));
        Assert.Equal(4, kept!.Step);
        Assert.True(File.Exists(best));

        // A fresh run (nothing replayed) in the same directory removes the earlier run's best.
        Assert.Null(ValidationResume.Restore(output, checkpoints, 0, new ValidationTracker(Run(), "mse")));
        Assert.False(File.Exists(best));
    }

    [Fact]
    public void ProgressCarriesTheValidationOnlyOnceThereIsOne()
    {
        var before = RunMessages.Progress(new RunStatus { RunId = "r" }, null);
        Assert.False(before.HasValidationStep);
        Assert.False(before.HasBestValue);

        var after = RunMessages.Progress(new RunStatus { RunId = "r", ValidationStep = 4, ValidationValue = 0.5, ValidationMetric = "mse", BestStep = 2, BestValue = 0.4 }, null);
        Assert.Equal((4L, 0.5, "mse", 2L, 0.4), (after.ValidationStep, after.ValidationValue, after.ValidationMetric, after.BestStep, after.BestValue));
    }
}
