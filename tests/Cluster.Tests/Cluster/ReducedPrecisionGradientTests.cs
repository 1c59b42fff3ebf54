using System.Text.Json;

namespace MetaCluster.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class ReducedPrecisionGradientTests
{
    [Theory]
    [InlineData("bf16")]
    [InlineData("f16")]
    public async Task ARunSendingReducedPrecisionGradientsEndsCloseToTheFloat32Run(string dtype)
    {
        var f32 = await ClusterRuns.RunAsync(ClusterRuns.Sinusoid(workers: 2, shards: 2, steps: 40, ClusterRuns.TempDirectory()));
        string dir = ClusterRuns.TempDirectory();
        var reduced = await ClusterRuns.RunAsync(ClusterRuns.Sinusoid(workers: 2, shards: 2, steps: 40, dir) with { GradDtype = dtype });

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")));
        Assert.Equal(dtype, summary.RootElement.GetProperty("grad_dtype").GetString());
        Assert.Equal(0, summary.RootElement.GetProperty("gradient_saturated").GetInt64());
        double loss = reduced.Status.Loss, reference = f32.Status.Loss;
        Assert.True(double.IsFinite(loss));
        Assert.True(Math.Abs(loss - reference) <= 0.02 * reference, $"{dtype} loss {loss}, float32 {reference}");

        // The parameters took the same path, up to the rounding of the gradients.
        double moved = ClusterRuns.Distance(f32.Final.Theta, ClusterRuns.SinusoidInitialTheta());
        double apart = ClusterRuns.Distance(f32.Final.Theta, reduced.Final.Theta);
        Assert.True(apart > 0, "the reduced-precision run sent float32 after all");
        Assert.True(apart < 0.05 * moved, $"{dtype} ended {apart} from float32 after moving {moved}");
    }
}
