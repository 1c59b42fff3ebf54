using MetaCluster.Coordinator.Steps;
using MetaCluster.Learning.Optimisation;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// A meta-step whose training loss or outer gradient is not finite. Deterministic (the same θ and
/// tasks give it again), so the run ends Failed at once instead of being retried, with this one line.
/// </summary>
public sealed class TrainingDivergedException(string message) : Exception(message);

/// <summary>
/// Stops a diverging run at the step where it diverges, before the outer update: θ and the
/// optimiser stay as the last good step left them, and since the run ends there no checkpoint or
/// export is ever written from the bad state (the last good checkpoint is kept).
/// </summary>
public static class DivergenceGuard
{
    /// <summary>
    /// Throws <see cref="TrainingDivergedException"/> when meta-step <paramref name="step"/> (0-based;
    /// named 1-based, as progress shows it) brought back a non-finite task loss or outer gradient:
    /// <c>step 137: the outer gradient is not finite (NaN in 12 of 1761 elements)</c>.
    /// </summary>
    public static void Check(long step, StepOutcome outcome)
    {
        var losses = NonFiniteCount.Of(outcome.TaskLosses.ToArray());
        if (!losses.AllFinite)
            throw new TrainingDivergedException($"step {step + 1}: the training loss is not finite ({losses.Describe("tasks")})");
        var gradient = GradientStatistics.CountNonFinite(outcome.Gradient.Values);
        if (!gradient.AllFinite)
            throw new TrainingDivergedException($"step {step + 1}: the outer gradient is not finite ({gradient.Describe()})");
    }
}
