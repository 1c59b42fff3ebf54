namespace MetaCluster.Bench.Simulated;

/// <summary>Bytes the load process moved so far: parameters received from the coordinator, gradients sent to it.</summary>
public sealed class LoadTotals
{
    private long fetched, sent;

    /// <summary>Parameter bytes received.</summary>
    public long FetchedBytes => Interlocked.Read(ref fetched);

    /// <summary>Gradient bytes sent.</summary>
    public long SentBytes => Interlocked.Read(ref sent);

    /// <summary>Counts <paramref name="bytes"/> of parameters received.</summary>
    public void Fetched(long bytes) => Interlocked.Add(ref fetched, bytes);

    /// <summary>Counts <paramref name="bytes"/> of gradient sent.</summary>
    public void Sent(long bytes) => Interlocked.Add(ref sent, bytes);
}
