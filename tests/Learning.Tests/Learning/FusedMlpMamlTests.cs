using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Fused;
using MetaCluster.Learning.Images;
using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Tests.Learning;

/// <summary>
/// The hand-written MLP kernel against libtorch autograd (itself checked against finite
/// differences in <see cref="MamlGradientTests"/>): gradients, losses, metrics and embeddings.
/// </summary>
public sealed class FusedMlpMamlTests
{
    public static TheoryData<bool, int> OrdersAndSteps() => new() { { false, 1 }, { false, 2 }, { false, 3 }, { true, 1 }, { true, 3 } };

    [Theory]
    [MemberData(nameof(OrdersAndSteps))]
    public void SinusoidShardMatchesAutogradInFloat64(bool firstOrder, int steps)
    {
        var model = new Mlp(1, 40, 40, 1);
        // 11 tasks: one full group of lanes and a partial one, whatever the SIMD width.
        using var batch = new SinusoidTasks().Sample(3, TaskStream.Train, 5, Enumerable.Range(0, 11).Select(i => (long)i).ToArray(), new EpisodeShape(1, 5, 10))
            .To(ScalarType.Float64, CPU);
        AssertSameOutcome(model, model.Initialize(2, ScalarType.Float64), batch, new InnerLoopSettings(steps, 0.3), firstOrder, 1e-10);
    }

    [Theory]
    [MemberData(nameof(OrdersAndSteps))]
    public void DeepMultiOutputShardMatchesAutogradInFloat64(bool firstOrder, int steps)
    {
        // Three inputs, three hidden layers of different widths, two outputs, and a large α so
        // that ReLUs switch on and off between inner steps.
        var model = new Mlp(3, 7, 6, 5, 2);
        var generator = new TorchSharp.torch.Generator(11);
        using var batch = new TaskBatch(TaskKind.Regression,
            randn([13, 4, 3], ScalarType.Float64, generator: generator), randn([13, 4, 2], ScalarType.Float64, generator: generator),
            randn([13, 6, 3], ScalarType.Float64, generator: generator), randn([13, 6, 2], ScalarType.Float64, generator: generator));
        AssertSameOutcome(model, model.Initialize(5, ScalarType.Float64), batch, new InnerLoopSettings(steps, 0.5), firstOrder, 1e-10);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Float32KernelAgreesWithFloat64AutogradToSinglePrecision(bool firstOrder)
    {
        var model = new Mlp(1, 40, 40, 1);
        using var batch = new SinusoidTasks().Sample(9, TaskStream.Train, 1, Enumerable.Range(0, 25).Select(i => (long)i).ToArray(), new EpisodeShape(1, 5, 10));
        using var batch64 = batch.To(ScalarType.Float64, CPU);
        var theta = model.Initialize(4);
        var inner = new InnerLoopSettings(1, 0.01);
        var fused = new Maml(inner, firstOrder).ComputeShard(model, theta, batch);
        var reference = new Maml(inner, firstOrder, fusedKernels: false).ComputeShard(model, theta.to(ScalarType.Float64), batch64);

        Assert.Equal(ScalarType.Float32, fused.GradientSum.dtype);
        GradientAssert.Close(Doubles(fused.GradientSum), Doubles(reference.GradientSum), 1e-5);
        for (int i = 0; i < 25; i++) Assert.Equal(reference.TaskLosses[i], fused.TaskLosses[i], 1e-4 * Math.Max(1, reference.TaskLosses[i]));
    }

    [Fact]
    public void OnlyMlpRegressionOnTheCpuTakesTheFusedPath()
    {
        var maml = new Maml(new InnerLoopSettings(1, 0.1), firstOrder: false);
        var mlp = new Mlp(1, 4, 1);
        using var regression = new SinusoidTasks().Sample(1, TaskStream.Train, 0, [0, 1], new EpisodeShape(1, 2, 2));
        Assert.True(maml.UsesFusedKernel(mlp, mlp.Initialize(1), regression));
        Assert.False(new Maml(new InnerLoopSettings(1, 0.1), firstOrder: false, fusedKernels: false).UsesFusedKernel(mlp, mlp.Initialize(1), regression));
        // Half precision and classification stay on autograd.
        using var half = regression.To(ScalarType.Float16, CPU);
        Assert.False(maml.UsesFusedKernel(mlp, mlp.Initialize(1, ScalarType.Float16), half));
        using var classification = new TaskBatch(TaskKind.Classification, zeros(2, 2, 1), zeros([2, 2], ScalarType.Int64), zeros(2, 2, 1), zeros([2, 2], ScalarType.Int64));
        Assert.False(maml.UsesFusedKernel(mlp, mlp.Initialize(1), classification));
        var cnn = new Cnn4(ways: 5, hiddenChannels: 4);
        Assert.False(maml.UsesFusedKernel(cnn, cnn.Initialize(1), classification));
        // Wide MLPs stay on libtorch's matrix products.
        var wide = new Mlp(1, 600, 600, 1);
        Assert.True(wide.Layout.Count > FusedMlpMaml.MaxParameters);
        Assert.False(maml.UsesFusedKernel(wide, wide.Initialize(1), regression));
        // Other algorithms have no fused kernel: ANIL's shard is an inner loop and a backward pass.
        using var theta = mlp.Initialize(1);
        Assert.Equal(["inner-loop", "outer-backward"], LearningSpans.Of(() => AlgorithmCatalog.Create("anil", new InnerLoopSettings(1, 0.1)).ComputeShard(mlp, theta, regression)));
    }

    private static void AssertSameOutcome(Mlp model, Tensor theta, TaskBatch batch, InnerLoopSettings inner, bool firstOrder, double tolerance)
    {
        var fusedMaml = new Maml(inner, firstOrder);
        Assert.True(fusedMaml.UsesFusedKernel(model, theta, batch));
        var fused = fusedMaml.ComputeShard(model, theta, batch);
        var reference = new Maml(inner, firstOrder, fusedKernels: false).ComputeShard(model, theta, batch);

        GradientAssert.Close(Doubles(fused.GradientSum), Doubles(reference.GradientSum), tolerance);
        Assert.Equal(reference.TaskLosses.Length, fused.TaskLosses.Length);
        for (int i = 0; i < reference.TaskLosses.Length; i++)
        {
            Assert.Equal(reference.TaskLosses[i], fused.TaskLosses[i], tolerance * Math.Max(1, reference.TaskLosses[i]));
            Assert.Equal(reference.TaskMetrics[i], fused.TaskMetrics[i], tolerance * Math.Max(1, reference.TaskMetrics[i]));
        }
        Assert.Equal(reference.TaskEmbeddings.shape, fused.TaskEmbeddings.shape);
        GradientAssert.Close(Doubles(fused.TaskEmbeddings), Doubles(reference.TaskEmbeddings), tolerance);
    }

    private static double[] Doubles(Tensor t) => t.to(ScalarType.Float64).flatten().data<double>().ToArray();
}
