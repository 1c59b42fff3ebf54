using System.Collections.Concurrent;

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
    public void Publish(string runId, long version, float[] values)
    {
        var bytes = new byte[values.LongLength * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        current[runId] = new PublishedParameters(version, [values.LongLength], bytes);
    }

    /// <summary>The requested version, or null when it is not (or no longer) published.</summary>
    public PublishedParameters? Get(string runId, long version) =>
        current.TryGetValue(runId, out var p) && p.Version == version ? p : null;

    /// <summary>Forgets a finished run.</summary>
    public void Remove(string runId) => current.TryRemove(runId, out _);
}
