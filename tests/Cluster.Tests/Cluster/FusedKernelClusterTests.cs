using System.Text.Json;

namespace MetaCluster.Tests.Cluster;

/// <summary>A cluster run on the fused MLP kernel follows the autograd run's path, up to float32 rounding.</summary>
[Collection(ClusterCollection.Name)]
public sealed class FusedKernelClusterTests
{
    [Theory]
    [InlineData("maml")]
    [InlineData("fomaml")]
    public async Task FusedAndAutogradKernelsTrainTheSameModel(string algorithm)
    {
        string fusedDir = ClusterRuns.TempDirectory(), autogradDir = ClusterRuns.TempDirectory();
        var fused = await ClusterRuns.RunAsync(ClusterRuns.Sinusoid(workers: 2, shards: 2, steps: 40, fusedDir) with { Algorithm = algorithm });
        var autograd = await ClusterRuns.RunAsync(ClusterRuns.Sinusoid(workers: 2, shards: 2, steps: 40, autogradDir) with { Algorithm = algorithm, Kernels = "autograd" });

        Assert.Equal("fused", Kernels(fusedDir));
        Assert.Equal("autograd", Kernels(autogradDir));
        Assert.Equal(autograd.Status.Loss, fused.Status.Loss, 1e-3 * autograd.Status.Loss);
        double moved = ClusterRuns.Distance(autograd.Final.Theta, ClusterRuns.SinusoidInitialTheta());
        double apart = ClusterRuns.Distance(autograd.Final.Theta, fused.Final.Theta);
        Assert.True(moved > 0.01, $"training moved θ by only {moved}");
        // Different summation orders round differently: identical parameters would mean the
        // workers never got the kernel choice.
        Assert.True(apart > 0, "both runs took the same kernel");
        Assert.True(apart < 1e-3 * moved, $"the fused run ended {apart} from the autograd run after moving {moved}");
    }

    private static string? Kernels(string dir)
    {
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")));
        return summary.RootElement.GetProperty("kernels").GetString();
    }
}
