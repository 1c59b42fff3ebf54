using System.Buffers.Binary;

namespace MetaCluster.Coordinator.DataPlane;

/// <summary>
/// The secrets of each run's live assignments. Every attempt's secret is issued here and sent to
/// its worker over the control plane alone; the worker's result must echo it (the round's
/// collector checks that), and only a reader holding a live one may read the run's parameters,
/// their updates and its optimiser state through the data plane (<c>DataPlaneService</c>), so the
/// workers' token alone does not open another run's θ and Adam moments.
/// </summary>
/// <remarks>
/// A secret stays live while its step is one of the two steps of the run most recently assigned
/// work (evaluation and validation rounds count as steps of their own), and never longer than the
/// run (<see cref="Forget"/>). Workers fetch a version during the step that assigned it, and only
/// the current version is served anyway; the one step of grace lets a superseded attempt, a
/// straggler or a relay fetching for it still read until the step after starts, while the memory
/// held stays two steps' attempts and a worker once assigned to a run does not keep reading it for good.
/// </remarks>
public sealed class AssignmentSecrets
{
    /// <summary>Bytes in a secret.</summary>
    public const int Bytes = 16;

    // Steps whose secrets a run keeps.
    private const int LiveSteps = 2;

    private readonly Lock gate = new();
    // Each run's live steps, the one most recently issued a secret last, each with its secrets.
    private readonly Dictionary<string, List<(long Step, HashSet<UInt128> Secrets)>> runs = new(StringComparer.Ordinal);

    /// <summary>A fresh unguessable secret for one attempt at work of step <paramref name="step"/> of <paramref name="runId"/>, live from now on.</summary>
    public byte[] Issue(string runId, long step)
    {
        var secret = System.Security.Cryptography.RandomNumberGenerator.GetBytes(Bytes);
        lock (gate)
        {
            if (!runs.TryGetValue(runId, out var steps)) runs[runId] = steps = [];
            int held = steps.FindIndex(s => s.Step == step);
            (long Step, HashSet<UInt128> Secrets) entry = held >= 0 ? steps[held] : (step, []);
            if (held >= 0) steps.RemoveAt(held);
            else if (steps.Count == LiveSteps) steps.RemoveAt(0);
            entry.Secrets.Add(BinaryPrimitives.ReadUInt128LittleEndian(secret));
            steps.Add(entry);
        }
        return secret;
    }

    /// <summary>Whether <paramref name="secret"/> is the secret of a live assignment of <paramref name="runId"/>.</summary>
    public bool IsLive(string runId, ReadOnlySpan<byte> secret)
    {
        if (secret.Length != Bytes) return false;
        var value = BinaryPrimitives.ReadUInt128LittleEndian(secret);
        lock (gate)
            return runs.TryGetValue(runId, out var steps) && steps.Exists(s => s.Secrets.Contains(value));
    }

    /// <summary>Forgets every secret of a run that ended (or a prediction's withdrawn parameters).</summary>
    public void Forget(string runId)
    {
        lock (gate) runs.Remove(runId);
    }

    /// <summary>Runs that hold live secrets.</summary>
    public int Runs
    {
        get { lock (gate) return runs.Count; }
    }
}
