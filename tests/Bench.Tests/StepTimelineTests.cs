using MetaCluster.Bench.Measurement;

namespace MetaCluster.Tests.Benchmarks;

public sealed class StepTimelineTests
{
    private static string Lines(params double[] elapsed) => string.Concat(elapsed.Select((e, i) =>
        FormattableString.Invariant($$"""{"step":{{i + 1}},"loss":{{1.0 / (i + 1)}},"metric":"mse","value":1,"tasks_per_second":1,"workers":1,"elapsed_seconds":{{e}},"retries":0}""") + "\n"));

    [Fact]
    public void RepetitionsAreBlocksOfStepsAfterTheSkippedOnesTimedByTheRunsClock()
    {
        // Step 1 took 5 s (left out), then blocks of two steps: 1 s + 1 s, then 2 s + 2 s.
        var timeline = StepTimeline.Parse(Lines(5, 6, 7, 9, 11));
        Assert.Equal(5, timeline.Steps);
        Assert.Equal(0.2, timeline.LastLoss, 12);
        Assert.Equal([10 * 2 / 2.0, 10 * 2 / 4.0], timeline.TasksPerSecond(skip: 1, stepsPerRepetition: 2, repetitions: 2, metaBatch: 10));
        Assert.Throws<InvalidOperationException>(() => timeline.TasksPerSecond(skip: 1, stepsPerRepetition: 3, repetitions: 2, metaBatch: 10));
    }

    [Fact]
    public void TheTypicalStepIsTheMedianOfTheLaterHalf()
    {
        Assert.Equal(1, StepTimeline.Parse(Lines(30, 31, 32, 33, 34, 36)).TypicalStepSeconds());
        Assert.Equal(2, StepTimeline.Parse(Lines(5, 7, 9)).TypicalStepSeconds());
    }

    [Fact]
    public void AMissingStepLineIsAnError()
    {
        string lines = Lines(1, 2, 3, 4);
        string withoutStepTwo = string.Join('\n', lines.Split('\n').Where(l => !l.Contains("\"step\":2,", StringComparison.Ordinal)));
        Assert.Throws<InvalidDataException>(() => StepTimeline.Parse(withoutStepTwo));
    }
}
