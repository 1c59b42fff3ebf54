namespace MetaCluster.Bench.Measurement;

/// <summary>
/// How one figure is measured: <paramref name="Warmup"/> untimed meta-steps, then
/// <paramref name="Repetitions"/> timed blocks, each of as many steps as take about
/// <paramref name="TargetSeconds"/> (at least one), as the PyTorch reference's
/// <c>--steps 0 --target-seconds</c>.
/// </summary>
public sealed record BenchPlan(int Warmup, int Repetitions, double TargetSeconds)
{
    /// <summary>Steps per repetition for steps that take <paramref name="stepSeconds"/> each.</summary>
    public int StepsFor(double stepSeconds) =>
        stepSeconds > 0 ? (int)Math.Clamp(Math.Ceiling(TargetSeconds / stepSeconds), 1, 1_000_000) : 1;
}
