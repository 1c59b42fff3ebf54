using MetaCluster.Coordinator.Runs;
using MetaCluster.Abstractions;

namespace MetaCluster.Bench.Measurement;

/// <summary>Tasks/s of a run configuration through a cluster, with the repetitions it was taken from.</summary>
/// <param name="TasksPerSecond">One value per repetition.</param>
/// <param name="WarmupSteps">Steps of the warm-up run.</param>
/// <param name="StepsPerRepetition">Meta-steps timed per repetition.</param>
/// <param name="FinalLoss">The training loss of the measured run's last step (finite, or the run would have failed).</param>
public sealed record ThroughputMeasurement(double[] TasksPerSecond, int WarmupSteps, int StepsPerRepetition, double FinalLoss)
{
    /// <summary>The median over the repetitions.</summary>
    public double Median => BenchFigure.MedianOf(TasksPerSecond);
}

/// <summary>
/// Measures tasks/s of real runs: a warm-up run of <see cref="BenchPlan.Warmup"/> meta-steps
/// (it warms the processes up and tells how long a step takes), then a measured run of
/// 1 + R × N steps that logs every step; its first step is left out and each following block of N
/// steps is one repetition, timed by the run's own clock (<c>elapsed_seconds</c> of metrics.jsonl).
/// Both runs have no evaluation and only the final checkpoint, written after the clock stops.
/// </summary>
public static class RunThroughput
{
    /// <summary>Measures <paramref name="run"/> (its meta-steps are replaced) on <paramref name="runner"/>.</summary>
    public static async Task<ThroughputMeasurement> MeasureAsync(IBenchRunner runner, RunDefinition run, BenchPlan plan, CancellationToken cancellationToken)
    {
        var timed = run with { EvalTasks = 0, CheckpointEvery = 0, LogEvery = 1, Resume = false };
        var warmup = StepTimeline.Parse(await runner.RunAsync(timed with { MetaSteps = plan.Warmup }, cancellationToken));
        int steps = plan.StepsFor(warmup.TypicalStepSeconds());
        var measured = StepTimeline.Parse(await runner.RunAsync(timed with { MetaSteps = 1 + plan.Repetitions * steps }, cancellationToken));
        return new ThroughputMeasurement(measured.TasksPerSecond(1, steps, plan.Repetitions, run.MetaBatch), plan.Warmup, steps, measured.LastLoss);
    }
}
