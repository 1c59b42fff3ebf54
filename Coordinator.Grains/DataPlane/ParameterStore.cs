using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using MetaCluster.Learning.Optimisation;
using MetaCluster.DataPlane.Replication;

namespace MetaCluster.Coordinator.DataPlane;

/// <summary>A published version of a run's meta-parameters, as the bytes that go on the wire.</summary>
public sealed class PublishedParameters(long version, long[] shape, byte[] bytes, long optimizerStep = 0, AdamRecipe? recipe = null)
{
    internal int Leases;
    internal bool Retired;

    /// <summary>The version.</summary>
    public long Version => version;

    /// <summary>The shape of the flat parameter vector.</summary>
    public long[] Shape => shape;

    /// <summary>The little-endian float32 bytes.</summary>
    public byte[] Bytes => bytes;

    /// <summary>Outer optimiser updates applied to make this version.</summary>
    public long OptimizerStep => optimizerStep;

    /// <summary>How this version follows from the previous one by one replayable update, if it does.</summary>
    public AdamRecipe? Recipe => recipe;
}

/// <summary>
/// Gives a copy of a run's outer optimiser moments as float32 bytes, or null if the optimiser is no
/// longer at <c>optimizerStep</c> updates (or has no moments yet: then both are null).
/// </summary>
public delegate (byte[]? FirstMoment, byte[]? SecondMoment)? OptimizerStateSource(long optimizerStep);

/// <summary>
/// The meta-parameters each run has published for its workers, written only through
/// <see cref="ParameterPublisher"/>. Serialised once per version, then
/// streamed to every worker that asks for that version. A version's bytes are reused for a later
/// version once it is replaced and no stream is reading it (<see cref="Lease"/>), so publishing
/// does not put a parameter-sized array on the large-object heap every step.
/// </summary>
public sealed class ParameterStore
{
    private readonly Lock gate = new();
    private readonly ConcurrentDictionary<string, PublishedParameters> current = new();
    private readonly Dictionary<int, byte[]> spare = [];
    private readonly ConcurrentDictionary<string, OptimizerStateSource> optimizerStates = new();

    /// <summary>Publishes a version (replacing the previous one).</summary>
    internal void Publish(string runId, long version, ReadOnlySpan<float> values) => Publish(runId, version, MemoryMarshal.AsBytes(values));

    /// <summary>
    /// Publishes a version given as the little-endian bytes of its float32 values, copied once, made
    /// by <paramref name="optimizerStep"/> optimiser updates, the last one described by
    /// <paramref name="recipe"/> when a relay can replay it.
    /// </summary>
    internal void Publish(string runId, long version, ReadOnlySpan<byte> float32Bytes, long optimizerStep = 0, AdamRecipe? recipe = null)
    {
        if (float32Bytes.Length % sizeof(float) != 0) throw new ArgumentException("parameters must be whole float32 values", nameof(float32Bytes));
        var bytes = Rent(float32Bytes.Length);
        float32Bytes.CopyTo(bytes);
        PublishOwned(runId, version, bytes, optimizerStep, recipe);
    }

    /// <summary>
    /// An array of <paramref name="length"/> bytes to fill and publish with <see cref="PublishOwned"/>:
    /// a retired version's when one is free (its old contents are still there).
    /// </summary>
    internal byte[] Rent(int length)
    {
        byte[]? bytes;
        lock (gate) spare.Remove(length, out bytes);
        return bytes ?? GC.AllocateUninitializedArray<byte>(length);
    }

    /// <summary>
    /// Publishes a version whose float32 bytes the caller filled (from <see cref="Rent"/> or its own)
    /// and hands over: no copy is made, and the caller must not write to them again.
    /// </summary>
    internal void PublishOwned(string runId, long version, byte[] bytes, long optimizerStep = 0, AdamRecipe? recipe = null)
    {
        if (bytes.Length % sizeof(float) != 0) throw new ArgumentException("parameters must be whole float32 values", nameof(bytes));
        var published = new PublishedParameters(version, [bytes.LongLength / sizeof(float)], bytes, optimizerStep, recipe);
        lock (gate)
        {
            if (current.TryGetValue(runId, out var previous)) Retire(previous);
            current[runId] = published;
        }
    }

    /// <summary>The requested version, or null when it is not (or no longer) published.</summary>
    public PublishedParameters? Get(string runId, long version) =>
        current.TryGetValue(runId, out var p) && p.Version == version ? p : null;

    /// <summary>
    /// The requested version, held until the lease is disposed (its bytes are not reused meanwhile),
    /// or null when it is not (or no longer) published.
    /// </summary>
    public Lease? Acquire(string runId, long version)
    {
        lock (gate)
        {
            if (!current.TryGetValue(runId, out var p) || p.Version != version) return null;
            p.Leases++;
            return new Lease(this, p);
        }
    }

    /// <summary>Lets relays copy the run's optimiser state (<see cref="OptimizerState"/>) until the run is removed.</summary>
    internal void ShareOptimizerState(string runId, OptimizerStateSource source) => optimizerStates[runId] = source;

    /// <summary>
    /// Whether the run shares its optimiser state (<see cref="ShareOptimizerState"/>).
    /// </summary>
    public bool SharesOptimizerState(string runId) => optimizerStates.ContainsKey(runId);

    /// <summary>
    /// The run's optimiser moments after <paramref name="version"/>, copied, if that version is the
    /// current one, the run shares its state and its optimiser is still there; otherwise null.
    /// </summary>
    public (long OptimizerStep, byte[]? FirstMoment, byte[]? SecondMoment)? OptimizerState(string runId, long version)
    {
        if (Get(runId, version) is not { } published || !optimizerStates.TryGetValue(runId, out var source)) return null;
        return source(published.OptimizerStep) is { } moments ? (published.OptimizerStep, moments.FirstMoment, moments.SecondMoment) : null;
    }

    /// <summary>Forgets a finished run.</summary>
    public void Remove(string runId)
    {
        optimizerStates.TryRemove(runId, out _);
        lock (gate)
            if (current.TryRemove(runId, out var p)) Retire(p);
    }

    // Called under the lock when a version stops being current: its bytes become spare once nobody streams them.
    private void Retire(PublishedParameters p)
    {
        p.Retired = true;
        if (p.Leases == 0) spare[p.Bytes.Length] = p.Bytes;
    }

    private void Release(PublishedParameters p)
    {
        lock (gate)
            if (--p.Leases == 0 && p.Retired) spare[p.Bytes.Length] = p.Bytes;
    }

    /// <summary>A published version held for reading.</summary>
    public sealed class Lease(ParameterStore store, PublishedParameters parameters) : IDisposable
    {
        private int released;

        /// <summary>The version's parameters.</summary>
        public PublishedParameters Parameters => parameters;

        /// <inheritdoc/>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0) store.Release(parameters);
        }
    }
}
