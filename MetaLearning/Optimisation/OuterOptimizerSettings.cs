namespace MetaCluster.Learning.Optimisation;

/// <summary>The rule that turns the outer gradient into a step.</summary>
public enum OuterOptimizerKind
{
    /// <summary>Adam (torch.optim.Adam; with weight decay, AdamW's decoupled decay).</summary>
    Adam,

    /// <summary>Plain gradient descent, no momentum (with weight decay, an L2 term added to the gradient).</summary>
    Sgd,
}

/// <summary>
/// Everything the outer optimiser of a run is: the rule, the base learning rate and its schedule,
/// gradient-norm clipping and weight decay. What one update did with them is an <see cref="OuterUpdate"/>.
/// </summary>
/// <param name="Kind">Adam or SGD.</param>
/// <param name="LearningRate">The base rate η (Reptile's ε with SGD).</param>
public sealed record OuterOptimizerSettings(OuterOptimizerKind Kind, double LearningRate)
{
    /// <summary>How the rate changes with the update number.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>
    /// The largest global L2 norm of the (mean) outer gradient: a larger one is scaled down to it
    /// (torch.nn.utils.clip_grad_norm_); 0 switches clipping off.
    /// </summary>
    public double ClipGradNorm { get; init; }

    /// <summary>
    /// Weight decay λ: decoupled for Adam (θ ← θ·(1 − η_t·λ) before the Adam step, as AdamW),
    /// an L2 term for SGD (g ← g + λθ, as torch.optim.SGD); 0 switches it off.
    /// </summary>
    public double WeightDecay { get; init; }

    /// <summary>Adam's β₁.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam's β₂.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Adam's ε.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>The values of <c>--outer-optimizer</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["adam", "sgd"];

    /// <summary>An optimiser by its command-line name.</summary>
    public static OuterOptimizerKind Parse(string name) => name switch
    {
        "adam" => OuterOptimizerKind.Adam,
        "sgd" => OuterOptimizerKind.Sgd,
        _ => throw new ArgumentException($"the outer optimiser must be one of {string.Join(", ", Names)}, got '{name}'"),
    };

    /// <summary>The command-line name of <paramref name="kind"/>.</summary>
    public static string NameOf(OuterOptimizerKind kind) => kind == OuterOptimizerKind.Sgd ? "sgd" : "adam";
}
