using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Steps;
using MetaCluster.Learning.Optimisation;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// A meta-step whose training loss or outer gradient is not finite. Deterministic (the same θ and
/// tasks give it again), so the run ends Failed at once instead of being retried, with this one line.
/// </summary>
public sealed class TrainingDivergedException(string message) : Exception(message);

/// <summary>
/// Stops a diverging run at the step where it diverges, before the outer update (a worker's shard
/// that diverged stops it the same way, through <see cref="Classify"/>): θ and the
/// optimiser stay as the last good step left them, and since the run ends there no checkpoint or
/// export is ever written from the bad state (the last good checkpoint is kept).
/// </summary>
public static class DivergenceGuard
{
    /// <summary>
    /// Throws <see cref="TrainingDivergedException"/> when meta-step <paramref name="step"/> brought
    /// back a non-finite task loss or outer gradient (the line of <see cref="TrainingDivergence.Problem"/>).
    /// </summary>
    public static void Check(long step, StepOutcome outcome)
    {
        if (TrainingDivergence.Problem(step, outcome.TaskLosses.ToArray(), outcome.Gradient.Values) is { } problem)
            throw new TrainingDivergedException(problem);
    }

    /// <summary>
    /// <paramref name="error"/>, or a <see cref="TrainingDivergedException"/> with its line when it is
    /// a shard that a worker refused to send because it diverged (workers check their own numbers).
    /// </summary>
    public static Exception Classify(Exception error) =>
        error is ShardFailedException { InnerException: DeterministicWorkException rejected } && TrainingDivergence.IsDivergence(rejected.Message)
            ? new TrainingDivergedException(rejected.Message)
            : error;
}
