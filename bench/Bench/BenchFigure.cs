namespace MetaCluster.Bench;

/// <summary>
/// One measured figure of a benchmark suite: what was measured (<see cref="Name"/>, its
/// <see cref="Configuration"/>), the median over <see cref="Repetitions"/> taken after warm-up,
/// in <see cref="Unit"/>. <see cref="Extra"/> holds secondary values of the same measurement
/// (for example bytes on the wire next to a throughput), <see cref="Note"/> anything a reader
/// must know to read it right (for example "PyTorch reference not installed").
/// </summary>
public sealed record BenchFigure(
    string Suite,
    string Name,
    IReadOnlyDictionary<string, string> Configuration,
    string Unit,
    double Median,
    IReadOnlyList<double> Repetitions,
    IReadOnlyDictionary<string, double>? Extra = null,
    string? Note = null)
{
    /// <summary>The median of <paramref name="values"/> (mean of the middle two for an even count).</summary>
    public static double MedianOf(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
