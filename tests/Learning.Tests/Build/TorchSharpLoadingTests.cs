using MetaCluster.Build;
using TorchSharp;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Build;

public sealed class TorchSharpLoadingTests
{
    [Fact]
    public void TorchSharpInitialisesAndTakesASecondOrderGradient()
    {
        // f(x) = x^3  =>  f'(x) = 3x^2, f''(x) = 6x
        var x = tensor(new[] { 2.0 }, dtype: ScalarType.Float64).requires_grad_();
        var y = x.pow(3).sum();
        var dy = autograd.grad(new[] { y }, new[] { x }, retain_graph: true, create_graph: true)[0];
        var d2y = autograd.grad(new[] { dy.sum() }, new[] { x })[0];
        Assert.Equal(12.0, dy.item<double>(), 12);
        Assert.Equal(12.0, d2y.item<double>(), 12);
    }

    [Fact]
    public void BuildOutputHasTheGlibcxxMarkerNeedMarkedWeak()
    {
        var library = Directory.GetFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        Assert.NotEmpty(library);
        foreach (var path in library)
        {
            var needs = ElfVersionNeedWeakener.ReadVersionNeeds(File.ReadAllBytes(path));
            var marker = Assert.Single(needs, n => n.Name == "GLIBCXX_3.4.32");
            Assert.True(marker.IsWeak);
            Assert.Equal("libstdc++.so.6", marker.File);
            // Every other need keeps its flags: only the marker is relaxed.
            Assert.All(needs.Where(n => n.Name != "GLIBCXX_3.4.32"), n => Assert.False(n.IsWeak));
        }
    }
}
