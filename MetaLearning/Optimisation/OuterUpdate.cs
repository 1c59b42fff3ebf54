namespace MetaCluster.Learning.Optimisation;

/// <summary>
/// One update of the outer optimiser, as it was applied: the rule, this update's learning rate
/// (after the schedule), the factor clipping put on the gradient (1 without clipping) and the
/// weight decay. With the gradient sum, its divisor and the update number it determines the new θ
/// (and Adam's moments) bit for bit: <see cref="Apply"/> is a fixed sequence of float32 operations,
/// so a relay that replays it from the same bits gets the coordinator's bits. The replay wire
/// carries exactly these fields.
/// </summary>
/// <param name="Optimizer">Adam or SGD.</param>
/// <param name="LearningRate">η_t, this update's rate.</param>
/// <param name="GradientScale">What the mean gradient is multiplied by before the rule sees it (clipping); 1 leaves it as it is, exactly.</param>
/// <param name="WeightDecay">λ: decoupled for Adam, L2 for SGD (<see cref="OuterOptimizerSettings.WeightDecay"/>).</param>
/// <param name="Beta1">Adam's β₁.</param>
/// <param name="Beta2">Adam's β₂.</param>
/// <param name="Epsilon">Adam's ε.</param>
public readonly record struct OuterUpdate(OuterOptimizerKind Optimizer, double LearningRate, float GradientScale = 1f, double WeightDecay = 0,
    double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8)
{
    /// <summary>Elements per block of <see cref="ApplyInBlocks"/>: 64 KiB of θ, a multiple of every vector width.</summary>
    public const int BlockElements = 16_384;

    /// <summary>Plain Adam with <paramref name="settings"/>: no clipping, no decay.</summary>
    public static OuterUpdate ForAdam(AdamSettings settings) =>
        new(OuterOptimizerKind.Adam, settings.LearningRate, 1f, 0, settings.Beta1, settings.Beta2, settings.Epsilon);

    /// <summary>Whether the rule keeps moments (Adam); SGD's state is its update count alone.</summary>
    public bool NeedsMoments => Optimizer == OuterOptimizerKind.Adam;

    /// <summary>
    /// Applies this update, number <paramref name="step"/> (from 1), with the gradient
    /// <paramref name="gradientSum"/>[i] / <paramref name="divisor"/>, to θ and (Adam) the moments
    /// <paramref name="m"/>, <paramref name="v"/> in place; SGD ignores the moments (pass empty spans).
    /// </summary>
    public void Apply(Span<float> theta, ReadOnlySpan<float> gradientSum, float divisor, Span<float> m, Span<float> v, long step)
    {
        Check(theta, gradientSum, m, v, step);
        ApplyRange(theta, gradientSum, divisor, m, v, step);
    }

    /// <summary>
    /// <see cref="Apply"/> in blocks of <see cref="BlockElements"/>, handing each block of new θ to
    /// <paramref name="updated"/> right after it is written (to copy or hash it while it is in the cache).
    /// </summary>
    public void ApplyInBlocks(Span<float> theta, ReadOnlySpan<float> gradientSum, float divisor, Span<float> m, Span<float> v, long step, UpdatedBlock updated)
    {
        Check(theta, gradientSum, m, v, step);
        bool moments = NeedsMoments;
        for (int start = 0; start < theta.Length; start += BlockElements)
        {
            int length = Math.Min(BlockElements, theta.Length - start);
            ApplyRange(theta.Slice(start, length), gradientSum.Slice(start, length), divisor,
                moments ? m.Slice(start, length) : default, moments ? v.Slice(start, length) : default, step);
            updated(start, theta.Slice(start, length));
        }
    }

    private void ApplyRange(Span<float> theta, ReadOnlySpan<float> gradientSum, float divisor, Span<float> m, Span<float> v, long step)
    {
        if (NeedsMoments) Adam.UpdateRange(theta, gradientSum, divisor, m, v, this, step);
        else Sgd.UpdateRange(theta, gradientSum, divisor, this);
    }

    private void Check(Span<float> theta, ReadOnlySpan<float> gradientSum, Span<float> m, Span<float> v, long step)
    {
        if (gradientSum.Length != theta.Length || (NeedsMoments && (m.Length != theta.Length || v.Length != theta.Length)))
            throw new ArgumentException(NeedsMoments ? "θ, the gradient and both moments must have the same length" : "θ and the gradient must have the same length");
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), "outer updates are numbered from 1");
    }
}
