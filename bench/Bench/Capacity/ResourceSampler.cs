namespace MetaCluster.Bench.Capacity;

/// <summary>
/// Samples this process's working set (managed and native memory: libtorch tensors included) and
/// managed heap every few milliseconds until disposed, keeping the peaks. Short spikes between two
/// samples can be missed; the sampling costs well under 1% of a core.
/// </summary>
public sealed class ResourceSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private long peakWorkingSet, peakHeap;

    /// <summary>Starts sampling every <paramref name="interval"/>.</summary>
    public ResourceSampler(TimeSpan interval)
    {
        Sample();
        loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval);
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token)) Sample();
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        });
    }

    /// <summary>Largest working set seen, bytes.</summary>
    public long PeakWorkingSet => Interlocked.Read(ref peakWorkingSet);

    /// <summary>Largest managed heap seen (GC.GetTotalMemory), bytes.</summary>
    public long PeakManagedHeap => Interlocked.Read(ref peakHeap);

    private void Sample()
    {
        Raise(ref peakWorkingSet, Environment.WorkingSet);
        Raise(ref peakHeap, GC.GetTotalMemory(forceFullCollection: false));
    }

    private static void Raise(ref long peak, long value)
    {
        long seen = Interlocked.Read(ref peak);
        while (value > seen)
        {
            long previous = Interlocked.CompareExchange(ref peak, value, seen);
            if (previous == seen) return;
            seen = previous;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        Sample();
        stop.Dispose();
    }
}
