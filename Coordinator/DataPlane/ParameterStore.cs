using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace MetaCluster.Coordinator.DataPlane;

/// <summary>A published version of a run's meta-parameters, as the bytes that go on the wire.</summary>
public sealed record PublishedParameters(long Version, long[] Shape, byte[] Bytes);

/// <summary>
/// The meta-parameters each run has published for its workers. Serialised once per version, then
/// streamed to every worker that asks for that version.
/// </summary>
public sealed class ParameterStore
{
    private readonly ConcurrentDictionary<string, PublishedParameters> current = new();

    /// <summary>Publishes a version (replacing the previous one).</summary>
    public void Publish(string runId, long version, ReadOnlySpan<float> values) => Publish(runId, version, MemoryMarshal.AsBytes(values));

    /// <summary>
    /// Publishes a version given as the little-endian bytes of its float32 values, copied once into
    /// a new array: a worker may still be streaming the previous version, so it is never reused.
    /// </summary>
    public void Publish(string runId, long version, ReadOnlySpan<byte> float32Bytes)
    {
        if (float32Bytes.Length % sizeof(float) != 0) throw new ArgumentException("parameters must be whole float32 values", nameof(float32Bytes));
        var bytes = GC.AllocateUninitializedArray<byte>(float32Bytes.Length);
        float32Bytes.CopyTo(bytes);
        current[runId] = new PublishedParameters(version, [bytes.LongLength / sizeof(float)], bytes);
    }

    /// <summary>The requested version, or null when it is not (or no longer) published.</summary>
    public PublishedParameters? Get(string runId, long version) =>
        current.TryGetValue(runId, out var p) && p.Version == version ? p : null;

    /// <summary>Forgets a finished run.</summary>
    public void Remove(string runId) => current.TryRemove(runId, out _);
}
