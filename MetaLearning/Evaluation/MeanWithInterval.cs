namespace MetaCluster.Learning.Evaluation;

/// <summary>A mean with its 95% confidence half-width, 1.96·sd/√n (sample standard deviation).</summary>
public sealed record MeanWithInterval(double Mean, double Ci95, int Count)
{
    /// <summary>Summarises a sample.</summary>
    public static MeanWithInterval Of(IReadOnlyList<double> values)
    {
        int n = values.Count;
        if (n == 0) throw new ArgumentException("no values to summarise");
        double mean = values.Average();
        if (n == 1) return new MeanWithInterval(mean, 0, 1);
        double variance = values.Sum(v => (v - mean) * (v - mean)) / (n - 1);
        return new MeanWithInterval(mean, 1.96 * Math.Sqrt(variance) / Math.Sqrt(n), n);
    }
}
