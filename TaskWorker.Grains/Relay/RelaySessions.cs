using System.Security.Cryptography;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.TaskWorker.Relay;

/// <summary>
/// The open reduction sessions of this process's relay. A plan for a super-group replaces the
/// session of the same run and first shard from an earlier step or attempt (abandoning it); a
/// session also ends when its plan's time runs out.
/// </summary>
public sealed class RelaySessions(IRelayForwarder forwarder)
{
    private readonly Lock gate = new();
    private readonly List<RelaySession> open = [];

    /// <summary>Opens a session for <paramref name="plan"/>.</summary>
    public RelaySession Open(RelayPlan plan)
    {
        var session = new RelaySession(plan, forwarder.ForwardAsync);
        List<RelaySession> replaced;
        lock (gate)
        {
            // Sessions of the same super-group from an earlier step or attempt go, and ended ones of
            // earlier steps; an ended one of this step stays, for its outcome to be asked for.
            replaced = open.Where(s => (s.Plan.Key.RunId == plan.Key.RunId && s.Plan.Key.Shard == plan.Key.Shard)
                || (s.IsOver && (s.Plan.Key.RunId != plan.Key.RunId || s.Plan.Key.Step < plan.Key.Step))).ToList();
            open.RemoveAll(replaced.Contains);
            open.Add(session);
        }
        foreach (var old in replaced) old.Abandon();
        if (plan.TimeoutSeconds > 0) session.ExpireAfter(TimeSpan.FromSeconds(plan.TimeoutSeconds), () => Close(session));
        return session;
    }

    /// <summary>The session of exactly this plan key (run, step, first shard, attempt), ended or not, if it is still held.</summary>
    public RelaySession? Of(ShardKey planKey)
    {
        lock (gate) return open.FirstOrDefault(s => s.Plan.Key.Equals(planKey));
    }

    /// <summary>
    /// Whether a session held here (open, or ended but not yet replaced) is of run
    /// <paramref name="runId"/> and has <paramref name="secret"/> as its plan's secret: the secret its
    /// groups' workers hold, and the only one under which the relay serves the run's parameters.
    /// </summary>
    public bool Admits(string runId, ReadOnlySpan<byte> secret)
    {
        if (secret.IsEmpty) return false;
        lock (gate)
        {
            foreach (var session in open)
                if (session.Plan.Key.RunId == runId && CryptographicOperations.FixedTimeEquals(session.Plan.AssignmentSecret.Span, secret)) return true;
            return false;
        }
    }

    /// <summary>The open session that a result with <paramref name="key"/> belongs to, if any.</summary>
    public RelaySession? Find(ShardKey key)
    {
        lock (gate) return open.FirstOrDefault(s => !s.IsOver && s.Covers(key));
    }

    private void Close(RelaySession session)
    {
        lock (gate) open.Remove(session);
        session.Abandon();
    }
}
