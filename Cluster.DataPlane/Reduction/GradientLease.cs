namespace MetaCluster.DataPlane.Reduction;

/// <summary>
/// A round's gradient sum, held by whoever uses it (the optimiser, a relay's forward) until it is
/// disposed, when its array goes back to the pool it came from for a later round to reuse. After
/// that (or after <see cref="Detach"/>) the lease refuses every use, so an array another round
/// already writes into can never be read as this one's.
/// </summary>
public sealed class GradientLease : IDisposable
{
    private readonly GradientBufferPool? pool;
    private float[]? values;

    internal GradientLease(float[] values, GradientBufferPool? pool)
    {
        this.values = values;
        this.pool = pool;
    }

    /// <summary>A lease of an array that belongs to no pool (tests, the relation round's own sums).</summary>
    public static GradientLease Unpooled(float[] values) => new(values, null);

    /// <summary>Elements of the gradient.</summary>
    public int Length => Values.Length;

    /// <summary>The values; throws once the lease was returned.</summary>
    public float[] Values => values ?? throw new ObjectDisposedException(nameof(GradientLease), "the gradient sum was returned to its pool");

    /// <summary>Takes the array for good: it never goes back to the pool, and the lease is over.</summary>
    public float[] Detach()
    {
        var taken = Values;
        values = null;
        return taken;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        var returned = Interlocked.Exchange(ref values, null);
        if (returned is not null) pool?.Return(returned);
    }
}
