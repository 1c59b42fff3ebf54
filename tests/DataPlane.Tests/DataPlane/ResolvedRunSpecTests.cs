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

    [Fact]
    public void AWorkerWithDataRootsRefusesPathsOutsideThemBeforeOpeningAnything()
    {
        string root = Directory.CreateTempSubdirectory("worker-root-").FullName;
        string outside = Directory.CreateTempSubdirectory("worker-outside-").FullName;
        File.WriteAllText(Path.Combine(outside, "creds.csv"), "user,password\nroot,Hunter2-TopSecret\n");
        Directory.CreateSymbolicLink(Path.Combine(root, "link"), outside);
        var spec = new RunSpec { Task = "tabular", Algorithm = "maml", Shots = 1, Query = 1, InnerSteps = 1, InnerLr = 0.01, Data = { Path.Combine(root, "link", "creds.csv") } };

        var refused = Assert.Throws<ArgumentException>(() => ResolvedRunSpec.From(spec, [root]));
        Assert.StartsWith("spec.data: ", refused.Message);
        Assert.DoesNotContain("Hunter2", refused.Message);
        // The same answer whether or not the file exists: the check comes first.
        spec.Data[0] = Path.Combine(root, "link", "no-such.csv");
        Assert.StartsWith("spec.data: ", Assert.Throws<ArgumentException>(() => ResolvedRunSpec.From(spec, [root])).Message);
        spec.EvalClasses = "/etc/passwd";
        spec.Data.Clear();
        Assert.StartsWith("spec.eval_classes: ", Assert.Throws<ArgumentException>(() => ResolvedRunSpec.From(spec, [root])).Message);
    }
}
