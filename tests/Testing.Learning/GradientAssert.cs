namespace MetaCluster.Testing.Learning;

public static class GradientAssert
{
    /// <summary>‖actual − expected‖ / ‖expected‖.</summary>
    public static double RelativeError(IReadOnlyList<double> actual, IReadOnlyList<double> expected)
    {
        Assert.Equal(expected.Count, actual.Count);
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            diff += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            norm += expected[i] * expected[i];
        }
        Assert.True(norm > 0, "the reference gradient is zero: the check would prove nothing");
        return Math.Sqrt(diff / norm);
    }

    public static void Close(IReadOnlyList<double> actual, IReadOnlyList<double> expected, double tolerance)
    {
        double error = RelativeError(actual, expected);
        Assert.True(error <= tolerance, $"relative error {error:E3} exceeds {tolerance:E1}");
    }
}
