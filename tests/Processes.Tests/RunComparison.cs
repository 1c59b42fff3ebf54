using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.Cli;

namespace MetaCluster.Tests.Processes;

/// <summary>Runs the same options undisturbed in an embedded cluster, and compares final parameters.</summary>
internal static class RunComparison
{
    public static async Task<Checkpoint> UndisturbedAsync(IReadOnlyDictionary<string, string> options)
    {
        var args = options.SelectMany(kv => new[] { "--" + kv.Key, kv.Value })
            .Concat(["--out", ClusterRuns.TempDirectory(), "--workers", "1"]).ToArray();
        var (_, final) = await ClusterRuns.RunAsync(TrainOptions.Parse(args).Run);
        return final;
    }

    public static Checkpoint Final(ProcessCluster cluster, string runId) =>
        Checkpoint.Load(Path.Combine(cluster.RunDirectory(runId), "checkpoints", "final.ckpt"));

    /// <summary>max |a − b| / max |b| over the parameters.</summary>
    public static double RelativeDifference(float[] actual, float[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(v => Math.Abs((double)v));
        return actual.Zip(expected, (a, b) => Math.Abs((double)a - b)).Max() / scale;
    }
}
