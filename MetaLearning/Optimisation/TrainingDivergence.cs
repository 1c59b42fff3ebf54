using System.Text.RegularExpressions;

namespace MetaCluster.Learning.Optimisation;

/// <summary>
/// The one line that names a diverged meta-step: a non-finite training loss or outer gradient.
/// Workers check their shard's numbers with it before sending them (the data plane refuses
/// non-finite results, which would otherwise be retried as if forged), the coordinator checks the
/// step's summed gradient; both say it the same way, so the coordinator recognises a worker's line.
/// </summary>
public static partial class TrainingDivergence
{
    /// <summary>
    /// The line for meta-step <paramref name="step"/> (0-based; named 1-based, as progress shows
    /// it), or null when its losses and gradient are all finite:
    /// <c>step 137: the outer gradient is not finite (NaN in 12 of 1761 elements)</c>.
    /// </summary>
    public static string? Problem(long step, IReadOnlyCollection<double> taskLosses, ReadOnlySpan<float> gradient)
    {
        var losses = NonFiniteCount.Of(taskLosses);
        if (!losses.AllFinite) return $"step {step + 1}: the training loss is not finite ({losses.Describe("tasks")})";
        if (GradientStatistics.AllFinite(gradient)) return null;
        return $"step {step + 1}: the outer gradient is not finite ({GradientStatistics.CountNonFinite(gradient).Describe()})";
    }

    /// <summary>Whether <paramref name="message"/> is a line of <see cref="Problem"/>.</summary>
    public static bool IsDivergence(string? message) => message is not null && Line().IsMatch(message);

    [GeneratedRegex(@"^step \d+: the (training loss|outer gradient) is not finite \(")]
    private static partial Regex Line();
}
