namespace MetaCluster.DataPlane.Reduction;

/// <summary>
/// Reuses the buffers that hold shards' gradients arriving before their turn in shard order, from
/// one step to the next, so that a step does not allocate (and the runtime does not clear) a
/// gradient-sized array per early shard. Buffers are handed out uninitialised: their user writes
/// every element before reading any. At most <paramref name="maxRetainedBytes"/> are kept.
/// </summary>
public sealed class GradientBufferPool(long maxRetainedBytes = 1L << 30)
{
    private readonly Lock gate = new();
    private readonly Dictionary<int, Stack<float[]>> free = [];
    private long retained;

    /// <summary>Bytes held for reuse now.</summary>
    public long RetainedBytes { get { lock (gate) return retained; } }

    /// <summary>A buffer of exactly <paramref name="elements"/> floats, with unspecified contents.</summary>
    public float[] Rent(int elements)
    {
        lock (gate)
        {
            if (free.TryGetValue(elements, out var stack) && stack.TryPop(out var buffer))
            {
                retained -= (long)elements * sizeof(float);
                return buffer;
            }
        }
        return GC.AllocateUninitializedArray<float>(elements);
    }

    /// <summary>Gives a buffer back; it is dropped when the pool holds enough already.</summary>
    public void Return(float[] buffer)
    {
        long bytes = buffer.LongLength * sizeof(float);
        lock (gate)
        {
            if (retained + bytes > maxRetainedBytes) return;
            if (!free.TryGetValue(buffer.Length, out var stack)) free[buffer.Length] = stack = new Stack<float[]>();
            stack.Push(buffer);
            retained += bytes;
        }
    }
}
