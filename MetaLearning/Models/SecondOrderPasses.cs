namespace MetaCluster.Learning.Models;

/// <summary>
/// Marks the forward passes, on the current thread, whose graph will be differentiated twice:
/// second-order inner steps (MAML, Meta-SGD) take the support loss's gradient with
/// <c>create_graph</c>, and the outer backward pass then goes through that gradient. A model may
/// pick different kernels for such passes: libtorch's double backward of convolution and batch
/// norm takes about twice as long channels-last as in NCHW, while their forward and first
/// backward are about twice as fast channels-last (<see cref="Images.Cnn4"/>). Only the speed
/// differs, never the values. Thread-local like TorchSharp's dispose scopes: a shard's learning
/// work runs on one thread.
/// </summary>
public static class SecondOrderPasses
{
    [ThreadStatic] private static int depth;

    /// <summary>True inside <see cref="Enter"/> on this thread.</summary>
    public static bool Active => depth > 0;

    /// <summary>Marks the forward passes until the returned scope is disposed; with <paramref name="active"/> false, nothing.</summary>
    public static Scope Enter(bool active = true)
    {
        if (active) depth++;
        return new Scope(active);
    }

    /// <summary>Ends the marking of <see cref="Enter"/>.</summary>
    public readonly struct Scope(bool active) : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose()
        {
            if (active) depth--;
        }
    }
}
