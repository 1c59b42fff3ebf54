using System.Numerics;
using System.Runtime.InteropServices;

namespace MetaCluster.Learning.Optimisation;

/// <summary>How many elements of a vector are not finite, by kind.</summary>
/// <param name="NaN">Elements that are NaN.</param>
/// <param name="Infinite">Elements that are +∞ or −∞.</param>
/// <param name="Elements">Elements looked at.</param>
public readonly record struct NonFiniteCount(long NaN, long Infinite, long Elements)
{
    /// <summary>Whether every element is finite.</summary>
    public bool AllFinite => NaN == 0 && Infinite == 0;

    /// <summary>"NaN in 12 of 1761 elements", "infinite in 3 of …", or both; <paramref name="unit"/> names what was counted.</summary>
    public string Describe(string unit = "elements")
    {
        var parts = new List<string>(2);
        if (NaN > 0) parts.Add($"NaN in {NaN}");
        if (Infinite > 0) parts.Add($"infinite in {Infinite}");
        return $"{string.Join(" and ", parts)} of {Elements} {unit}";
    }

    /// <summary>The count over float64 values (a step's task losses).</summary>
    public static NonFiniteCount Of(IReadOnlyCollection<double> values) =>
        new(values.Count(double.IsNaN), values.Count(double.IsInfinity), values.Count);
}

/// <summary>What the outer step looks at in a gradient sum before it is applied: whether it is finite, and its norm.</summary>
public static class GradientStatistics
{
    /// <summary>
    /// Counts NaN and infinite elements. A vectorised pass (x·0 is 0 for every finite x and NaN
    /// otherwise) answers the usual case, all finite; only a vector that has one is counted exactly.
    /// </summary>
    public static NonFiniteCount CountNonFinite(ReadOnlySpan<float> values)
    {
        if (AllFinite(values)) return new NonFiniteCount(0, 0, values.Length);
        long nan = 0, infinite = 0;
        foreach (float x in values)
        {
            if (float.IsNaN(x)) nan++;
            else if (float.IsInfinity(x)) infinite++;
        }
        return new NonFiniteCount(nan, infinite, values.Length);
    }

    /// <summary>Whether every element is finite.</summary>
    public static bool AllFinite(ReadOnlySpan<float> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var probe = Vector<float>.Zero;
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
            foreach (var v in vectors) probe += v * Vector<float>.Zero;
            if (!Vector.EqualsAll(probe, Vector<float>.Zero)) return false;
            i = vectors.Length * Vector<float>.Count;
        }
        for (; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return false;
        return true;
    }

    /// <summary>
    /// The global L2 norm of the gradient the optimiser sees, g[i] = float32(sum[i] / divisor):
    /// squares accumulated in float64, in element order, the same on every machine (no
    /// vector-width-dependent grouping), so a resumed run clips by the same factor.
    /// </summary>
    public static double Norm(ReadOnlySpan<float> gradientSum, float divisor)
    {
        double total = 0;
        foreach (float s in gradientSum)
        {
            double g = s / divisor;
            total += g * g;
        }
        return Math.Sqrt(total);
    }

    /// <summary>
    /// The factor torch.nn.utils.clip_grad_norm_ puts on a gradient of norm <paramref name="norm"/>
    /// to keep it at <paramref name="maxNorm"/>: min(1, maxNorm / (norm + 1e-6)), as float32.
    /// </summary>
    public static float ClipScale(double norm, double maxNorm) => (float)Math.Min(1.0, maxNorm / (norm + 1e-6));
}
