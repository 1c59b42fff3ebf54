namespace MetaCluster.Learning.Tasks.Tabular;

/// <summary>
/// Per-feature mean and standard deviation used to standardise inputs, (x − mean) / std. Computed
/// from the meta-training tasks only, so held-out tasks never leak into training; a constant
/// feature (std 0) is only centred.
/// </summary>
public sealed record FeatureStatistics(double[] Mean, double[] StandardDeviation)
{
    /// <summary>Mean and population standard deviation of every feature over all rows of the given tasks.</summary>
    public static FeatureStatistics FromTasks(IReadOnlyList<TabularTask> tasks)
    {
        if (tasks.Count == 0) throw new ArgumentException("feature statistics need at least one training task");
        int d = tasks[0].FeatureNames.Count;
        var sum = new double[d];
        long n = 0;
        foreach (var row in tasks.SelectMany(t => t.Features))
        {
            for (int j = 0; j < d; j++) sum[j] += row[j];
            n++;
        }
        var mean = sum.Select(s => s / n).ToArray();
        var squares = new double[d];
        foreach (var row in tasks.SelectMany(t => t.Features))
            for (int j = 0; j < d; j++) squares[j] += (row[j] - mean[j]) * (row[j] - mean[j]);
        return new FeatureStatistics(mean, squares.Select(s => Math.Sqrt(s / n)).ToArray());
    }

    /// <summary>Number of features.</summary>
    public int Count => Mean.Length;

    /// <summary>The standardised value of feature <paramref name="feature"/>.</summary>
    public double Standardise(int feature, double value)
    {
        double sd = StandardDeviation[feature];
        return sd > 0 ? (value - Mean[feature]) / sd : value - Mean[feature];
    }
}
