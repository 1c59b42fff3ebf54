using MetaCluster.DataPlane.Replication;

namespace MetaCluster.Bench.Simulated;

/// <summary>
/// The θ the load process's relay sessions serve their groups, as the product's relays get it: each
/// version once per relay (the relays of different super-groups stand for different worker
/// processes; a retried super-group's new session at the same relay reuses its version), through
/// one <see cref="ReplicatedParameters"/> when the plan says the relay's result is the whole step
/// and the load process replays, else by a plain fetch.
/// </summary>
public sealed class SimulatedRelayParameters(LoadArguments load, LoadTotals totals)
{
    private readonly Lock gate = new();
    private ReplicatedParameters? replica;
    private readonly Dictionary<int, (long Version, Task Obtained)> latest = [];

    /// <summary>The replica when relays keep one (the plan of <paramref name="replicateUpdate"/> and replaying on), else null.</summary>
    public ReplicatedParameters? ReplicaFor(bool replicateUpdate)
    {
        if (!replicateUpdate || !load.Replay) return null;
        lock (gate) return replica ??= new ReplicatedParameters(load.RunId);
    }

    /// <summary>
    /// Completes once version <paramref name="version"/> is at the relay of the super-group from
    /// <paramref name="firstShard"/>, obtained through <paramref name="upstream"/> with the super-group's
    /// <paramref name="secret"/> (as a relay forwards its callers') unless it already was.
    /// </summary>
    public Task GetAsync(int firstShard, long version, bool replicateUpdate, byte[] secret, SimulatedWorker upstream)
    {
        lock (gate)
        {
            // A version that failed to arrive is asked for again by the next session.
            if (latest.TryGetValue(firstShard, out var held) && held.Version == version && !held.Obtained.IsFaulted && !held.Obtained.IsCanceled) return held.Obtained;
            var obtained = ObtainAsync(version, ReplicaFor(replicateUpdate), secret, upstream);
            latest[firstShard] = (version, obtained);
            return obtained;
        }
    }

    private async Task ObtainAsync(long version, ReplicatedParameters? held, byte[] secret, SimulatedWorker upstream)
    {
        if (held is null)
        {
            totals.Fetched(await upstream.FetchAsync(version, load.Elements, secret, CancellationToken.None));
            return;
        }
        var (_, bytes, source) = await held.GetAsync(upstream.Client, version, Google.Protobuf.ByteString.CopyFrom(secret));
        if (bytes.LongLength != (long)load.Elements * sizeof(float))
            throw new InvalidDataException($"parameters of version {version}: {bytes.Length} bytes, expected {(long)load.Elements * sizeof(float)}");
        // After the first version every one must follow from the forwarded gradient: a fetch here means the replay broke.
        if (version > 0 && source != ParameterSource.Replayed) throw new InvalidOperationException($"parameters of version {version} were {source}, not replayed");
        if (source != ParameterSource.Replayed) totals.Fetched(bytes.LongLength);
    }
}
