using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Algorithms;

/// <summary>Per-task losses and metrics on outputs [T, N, outputs].</summary>
public static class TaskLosses
{
    /// <summary>The training loss of each task, [T]: MSE (regression) or mean cross-entropy (classification).</summary>
    public static Tensor PerTask(TaskKind kind, Tensor output, Tensor target) => kind switch
    {
        TaskKind.Regression => (output - target).square().flatten(1).mean([1]),
        TaskKind.Classification => PerSample(kind, output, target).mean([1]),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// The loss of each sample, [T, N]: squared error averaged over the outputs (regression) or
    /// cross-entropy (classification). Its mean over N is <see cref="PerTask"/>.
    /// </summary>
    public static Tensor PerSample(TaskKind kind, Tensor output, Tensor target) => kind switch
    {
        TaskKind.Regression => (output - target).square().flatten(2).mean([2]),
        TaskKind.Classification => nn.functional.cross_entropy(output.flatten(0, 1), target.flatten(), reduction: nn.Reduction.None)
            .view(output.shape[0], output.shape[1]),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The evaluation metric of each task, [T]: MSE (regression) or accuracy in [0, 1] (classification).</summary>
    public static Tensor Metric(TaskKind kind, Tensor output, Tensor target) => kind switch
    {
        TaskKind.Regression => (output - target).square().flatten(1).mean([1]),
        TaskKind.Classification => output.argmax(-1).eq(target).to(ScalarType.Float64).mean([1]),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The name of the metric in run summaries.</summary>
    public static string MetricName(TaskKind kind) => kind == TaskKind.Regression ? "mse" : "accuracy";
}
