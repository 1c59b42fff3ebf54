namespace MetaCluster.Learning.Optimisation;

/// <summary>The shape of the outer learning rate over a run, after any warm-up.</summary>
public enum LearningRateShape
{
    /// <summary>The base rate throughout.</summary>
    Constant,

    /// <summary>Half a cosine from the base rate down to the minimum rate at the last update.</summary>
    Cosine,
}

/// <summary>
/// The outer learning rate of update t (numbered from 1, as the optimiser counts them) of a run of
/// <see cref="TotalSteps"/> updates:
/// <list type="bullet">
/// <item>warm-up, t ≤ W: η·t/W (linear; the first update already moves, by η/W);</item>
/// <item>constant after it: η, the base rate itself (no arithmetic, so a run without a schedule gets exactly the bits it always had);</item>
/// <item>cosine after it: η_min + (η − η_min)·(1 + cos(π·p))/2 with p = (t − 1 − W)/(S − W), as
/// torch.optim.lr_scheduler.CosineAnnealingLR with T_max = S − W: the first update after the
/// warm-up uses η, the last one a rate just above η_min.</item>
/// </list>
/// A pure function of t: a checkpoint needs only the update count to continue the schedule, and a
/// relay is sent the rate itself.
/// </summary>
/// <param name="Shape">Constant or cosine.</param>
/// <param name="WarmupSteps">W: updates of linear warm-up (0: none).</param>
/// <param name="TotalSteps">S: the run's updates (meta-steps); the cosine reaches η_min at S.</param>
/// <param name="MinLearningRate">η_min, where the cosine ends.</param>
public sealed record LearningRateSchedule(LearningRateShape Shape = LearningRateShape.Constant, long WarmupSteps = 0, long TotalSteps = 0, double MinLearningRate = 0)
{
    /// <summary>The base rate throughout, without warm-up.</summary>
    public static LearningRateSchedule Constant { get; } = new();

    /// <summary>The values of <c>--lr-schedule</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["constant", "cosine"];

    /// <summary>A shape by its command-line name.</summary>
    public static LearningRateShape Parse(string name) => name switch
    {
        "constant" => LearningRateShape.Constant,
        "cosine" => LearningRateShape.Cosine,
        _ => throw new ArgumentException($"the learning-rate schedule must be one of {string.Join(", ", Names)}, got '{name}'"),
    };

    /// <summary>The rate of update <paramref name="update"/> (from 1) for the base rate <paramref name="baseRate"/>.</summary>
    public double RateAt(double baseRate, long update)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(update, 1);
        if (update <= WarmupSteps) return baseRate * update / WarmupSteps;
        if (Shape == LearningRateShape.Constant) return baseRate;
        long span = TotalSteps - WarmupSteps;
        // Updates past the end (a run resumed beyond its schedule is refused, but the rate stays defined) keep η_min.
        double progress = span <= 0 ? 1 : Math.Min(1.0, (double)(update - 1 - WarmupSteps) / span);
        return MinLearningRate + (baseRate - MinLearningRate) * (1 + Math.Cos(Math.PI * progress)) / 2;
    }
}
