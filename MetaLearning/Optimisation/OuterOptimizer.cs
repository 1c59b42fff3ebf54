namespace MetaCluster.Learning.Optimisation;

/// <summary>
/// A run's outer optimiser on a flat float32 θ: Adam or SGD, with the learning-rate schedule,
/// gradient-norm clipping and weight decay of its <see cref="OuterOptimizerSettings"/>. Its state is
/// plain data (the update count and, for Adam, the two moments) so checkpoints hold it exactly and
/// relays can copy it. Each update is decided first (<see cref="Next"/>: this update's rate and clip
/// factor) and then applied as an <see cref="OuterUpdate"/>, the same value a relay replays.
/// Not thread-safe: its owner serialises updates and copies.
/// </summary>
public sealed class OuterOptimizer(OuterOptimizerSettings settings)
{
    /// <summary>What the optimiser is.</summary>
    public OuterOptimizerSettings Settings => settings;

    /// <summary>Updates applied so far.</summary>
    public long Step { get; private set; }

    /// <summary>Adam's first moment, or null before Adam's first update (and always for SGD).</summary>
    public float[]? FirstMoment { get; private set; }

    /// <summary>Adam's second moment, or null before Adam's first update (and always for SGD).</summary>
    public float[]? SecondMoment { get; private set; }

    /// <summary>
    /// The update that <see cref="ApplySum"/> would apply next (number <see cref="Step"/> + 1) for the
    /// gradient <paramref name="gradientSum"/> / <paramref name="divisor"/>: the scheduled rate, and
    /// the clip factor when clipping is on and the gradient's norm exceeds it.
    /// </summary>
    public OuterUpdate Next(ReadOnlySpan<float> gradientSum, int divisor)
    {
        double rate = settings.Schedule.RateAt(settings.LearningRate, Step + 1);
        float scale = settings.ClipGradNorm > 0 ? GradientStatistics.ClipScale(GradientStatistics.Norm(gradientSum, divisor), settings.ClipGradNorm) : 1f;
        return new OuterUpdate(settings.Kind, rate, scale, settings.WeightDecay, settings.Beta1, settings.Beta2, settings.Epsilon);
    }

    /// <summary>
    /// Applies the next update with the mean gradient <paramref name="gradientSum"/> / <paramref name="divisor"/>
    /// to <paramref name="theta"/> in place and returns it. When <paramref name="updated"/> is given,
    /// it sees each block of new values right after the pass wrote it (<see cref="OuterUpdate.ApplyInBlocks"/>).
    /// </summary>
    public OuterUpdate ApplySum(Span<float> theta, ReadOnlySpan<float> gradientSum, int divisor, UpdatedBlock? updated = null)
    {
        if (gradientSum.Length != theta.Length || divisor < 1)
            throw new ArgumentException("the gradient sum must be as long as θ, and the divisor positive");
        var update = Next(gradientSum, divisor);
        if (update.NeedsMoments)
        {
            FirstMoment ??= new float[theta.Length];
            SecondMoment ??= new float[theta.Length];
        }
        Step++;
        if (updated is null) update.Apply(theta, gradientSum, divisor, FirstMoment, SecondMoment, Step);
        else update.ApplyInBlocks(theta, gradientSum, divisor, FirstMoment, SecondMoment, Step, updated);
        return update;
    }

    /// <summary>
    /// Restores a saved state: <paramref name="step"/> updates, and Adam's moments (null before its
    /// first update; SGD has none). Throws <see cref="InvalidDataException"/> when Adam's moments are
    /// missing after an update, or either moment's length is not <paramref name="elements"/>.
    /// </summary>
    public void Restore(long step, float[]? firstMoment, float[]? secondMoment, int elements)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if ((firstMoment is null) != (secondMoment is null) || (firstMoment is not null && (firstMoment.Length != elements || secondMoment!.Length != elements)))
            throw new InvalidDataException($"the optimiser state holds moments of {firstMoment?.Length} and {secondMoment?.Length} values; θ has {elements}");
        if (settings.Kind == OuterOptimizerKind.Adam && step > 0 && firstMoment is null)
            throw new InvalidDataException($"the optimiser state after {step} Adam updates has no moments (was it saved by an SGD run?)");
        Step = step;
        FirstMoment = settings.Kind == OuterOptimizerKind.Adam ? firstMoment : null;
        SecondMoment = settings.Kind == OuterOptimizerKind.Adam ? secondMoment : null;
    }
}
