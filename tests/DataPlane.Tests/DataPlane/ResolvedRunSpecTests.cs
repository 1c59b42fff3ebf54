using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.TaskWorker.Execution;
using static TorchSharp.torch;

namespace MetaCluster.Tests.DataPlane;

public sealed class ResolvedRunSpecTests
{
    private static RunSpec Sinusoid(string kernels) => new()
    {
        Task = "sinusoid", Algorithm = "maml", Shots = 5, Query = 10, InnerSteps = 1, InnerLr = 0.01, Seed = 1, Kernels = kernels,
    };

    [Theory]
    [InlineData("", true)]
    [InlineData("fused", true)]
    [InlineData("autograd", false)]
    public void TheSpecsKernelChoiceDecidesWhetherTheWorkerRunsTheFusedKernel(string kernels, bool fused)
    {
        var resolved = ResolvedRunSpec.From(Sinusoid(kernels));
        var model = Assert.IsType<Mlp>(resolved.Model);
        using var batch = resolved.Family.Sample(1, TaskStream.Train, 0, [0, 1, 2], resolved.TrainShape);
        Assert.Equal(fused, Assert.IsType<Maml>(resolved.Algorithm).UsesFusedKernel(model, model.Initialize(1), batch));
    }

    [Fact]
    public void AnUnknownKernelChoiceIsRejectedNamingTheField()
    {
        var error = Assert.Throws<ArgumentException>(() => ResolvedRunSpec.From(Sinusoid("cudnn")));
        Assert.Contains("spec.kernels", error.Message);
    }
}
