using System.Globalization;

namespace MetaCluster.Bench.Capacity;

/// <summary>
/// Whether a capacity point fits this machine's memory, predicted before it runs. The coordinator
/// holds θ, Adam's two moments, the published copy of θ, the gradient sum, the mean gradient and
/// Adam's temporaries (about 8 gradients), plus the gradient of every shard that arrives before its
/// turn in shard order (up to one per result, W/g − 1 more with pre-reduction groups of g); the
/// simulated workers hold their payload twice while building it (and a group's values and sum). A point that would need more than <see cref="Share"/> of the memory available now
/// is skipped, and the figure says so.
/// </summary>
public static class MemoryBudget
{
    /// <summary>Share of the available memory a point may plan to use.</summary>
    public const double Share = 0.8;

    /// <summary>Bytes the point is predicted to need at its peak.</summary>
    public static long Predicted(CapacityPoint point, int pendingGradients) =>
        point.GradientBytes * (8 + Math.Min(pendingGradients, point.Results - 1) + 2 + (point.WorkersPerResult > 1 ? 2 : 0)) + point.Workers * (4L << 20);

    /// <summary>MemAvailable of /proc/meminfo (Linux), else the GC's view of the machine's memory.</summary>
    public static long Available()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal)) continue;
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
            // Not Linux: fall through.
        }
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }
}
