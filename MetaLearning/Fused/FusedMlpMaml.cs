using System.Numerics;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Fused;

/// <summary>
/// Runs MAML and first-order MAML shards of ReLU-MLP regression on the CPU through
/// <see cref="MlpMamlKernel{T}"/> instead of autograd: the same outcome (gradient sum, losses,
/// query MSE, task embeddings) as <see cref="Maml"/>'s autograd path, several times faster on the
/// small models where libtorch's per-operation cost dominates.
/// </summary>
public static class FusedMlpMaml
{
    /// <summary>
    /// Largest MLP the kernel takes. It keeps k + 3 lane copies of the parameters (32 bytes each
    /// in float32); beyond a few hundred thousand parameters libtorch's matrix products win anyway.
    /// </summary>
    public const long MaxParameters = 1 << 18;

    /// <summary>Whether the kernel computes this shard: an <see cref="Mlp"/> of at most <see cref="MaxParameters"/> parameters, regression, float32 or float64 on the CPU, SIMD available.</summary>
    public static bool Supports(IFunctionalModel model, Tensor theta, TaskBatch batch) =>
        model is Mlp && model.Layout.Count <= MaxParameters && batch.Kind == TaskKind.Regression && Vector.IsHardwareAccelerated
        && theta.device_type == DeviceType.CPU && theta.dim() == 1
        && theta.dtype is ScalarType.Float32 or ScalarType.Float64
        && Matches(batch.SupportX, theta) && Matches(batch.SupportY, theta) && Matches(batch.QueryX, theta) && Matches(batch.QueryY, theta);

    /// <summary>The shard's outcome, or null where <see cref="Supports"/> does not hold (the caller then uses autograd).</summary>
    public static ShardOutcome? TryComputeShard(IFunctionalModel model, Tensor theta, TaskBatch batch, InnerLoopSettings inner, bool firstOrder)
    {
        if (!Supports(model, theta, batch)) return null;
        var shape = new MlpShape((Mlp)model);
        return theta.dtype == ScalarType.Float32
            ? Run<float>(shape, theta, batch, inner, firstOrder)
            : Run<double>(shape, theta, batch, inner, firstOrder);
    }

    private static ShardOutcome Run<T>(MlpShape shape, Tensor theta, TaskBatch batch, InnerLoopSettings inner, bool firstOrder)
        where T : unmanaged, INumber<T>
    {
        var shard = new RegressionShard<T>(batch.Count, (int)batch.SupportX.shape[1], (int)batch.QueryX.shape[1],
            Values<T>(batch.SupportX), Values<T>(batch.SupportY), Values<T>(batch.QueryX), Values<T>(batch.QueryY));
        var result = MlpMamlKernel<T>.Run(shape, Values<T>(theta), shard, inner.Steps, T.CreateChecked(inner.LearningRate), firstOrder);
        var gradient = ToTensor(result.GradientSum, [shape.ParameterCount]);
        var embeddings = ToTensor(result.Embeddings, [shard.Tasks, shape.Features]);
        // For regression the query metric is the query MSE, the loss itself.
        return new ShardOutcome(gradient, result.QueryLosses, embeddings) { TaskMetrics = result.QueryLosses };
    }

    private static bool Matches(Tensor t, Tensor theta) => t.dtype == theta.dtype && t.device_type == DeviceType.CPU && t.dim() == 3;

    private static Tensor ToTensor<T>(T[] values, long[] shape) => values switch
    {
        float[] f => tensor(f, shape),
        double[] d => tensor(d, shape),
        _ => throw new NotSupportedException(typeof(T).Name),
    };

    private static T[] Values<T>(Tensor t) where T : unmanaged => t.contiguous().data<T>().ToArray();
}
