using static TorchSharp.torch;

namespace MetaCluster.Learning.Tasks;

/// <summary>Whether a family's tasks are regressions (MSE) or classifications (cross-entropy, accuracy).</summary>
public enum TaskKind
{
    /// <summary>Targets are real vectors; loss and metric are the mean squared error.</summary>
    Regression,

    /// <summary>Targets are class indices; loss is cross-entropy, metric is accuracy.</summary>
    Classification,
}

/// <summary>
/// The support and query sets of T tasks stacked on a leading task dimension:
/// inputs [T, N, …]; targets [T, N, outputs] (regression) or [T, N] int64 (classification).
/// </summary>
public sealed class TaskBatch(TaskKind kind, Tensor supportX, Tensor supportY, Tensor queryX, Tensor queryY) : IDisposable
{
    /// <summary>Regression or classification.</summary>
    public TaskKind Kind { get; } = kind;

    /// <summary>Support inputs [T, K, …].</summary>
    public Tensor SupportX { get; } = supportX;

    /// <summary>Support targets.</summary>
    public Tensor SupportY { get; } = supportY;

    /// <summary>Query inputs [T, Q, …].</summary>
    public Tensor QueryX { get; } = queryX;

    /// <summary>Query targets.</summary>
    public Tensor QueryY { get; } = queryY;

    /// <summary>Number of tasks.</summary>
    public int Count => (int)SupportX.shape[0];

    /// <summary>The same batch with floating tensors in <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    public TaskBatch To(ScalarType dtype, Device device)
    {
        Tensor Convert(Tensor t) => t.is_floating_point() ? t.to(dtype, device) : t.to(device);
        return new TaskBatch(Kind, Convert(SupportX), Convert(SupportY), Convert(QueryX), Convert(QueryY));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        SupportX.Dispose(); SupportY.Dispose(); QueryX.Dispose(); QueryY.Dispose();
    }
}
