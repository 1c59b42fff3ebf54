using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.DataPlane.Wire;
using MetaCluster.TaskWorker.Execution;
using MetaCluster.DataPlane.Reduction;

namespace MetaCluster.TaskWorker.Relay;

/// <summary>
/// One super-group of one step at a reduction relay (see <see cref="RelayPlan"/>): takes each
/// group's pre-reduced result once, under the plan's step and attempt; once every group is in, sums
/// the groups in group order (<see cref="GroupGradient"/>) and forwards one result upstream;
/// <see cref="Verdict"/> is the coordinator's answer. A session that is abandoned (replaced by a
/// newer plan, or out of time) forwards nothing.
/// </summary>
public sealed class RelaySession
{
    private readonly Lock gate = new();
    private readonly ShardResultHeader?[] headers;
    private readonly float[]?[] gradients;
    private readonly TaskCompletionSource<ShardResultAck.Types.Outcome> verdict = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int arrived;

    /// <summary>Opens the session of <paramref name="plan"/>.</summary>
    public RelaySession(RelayPlan plan)
    {
        if (plan.Key is null || plan.GroupSize < 1 || plan.EndShard <= plan.Key.Shard || plan.Elements < 1 || string.IsNullOrEmpty(plan.UpstreamUrl))
            throw new ArgumentException("a relay plan needs a key, group_size ≥ 1, end_shard > key.shard, elements ≥ 1 and upstream_url");
        Plan = plan;
        int groups = (plan.EndShard - plan.Key.Shard + plan.GroupSize - 1) / plan.GroupSize;
        headers = new ShardResultHeader?[groups];
        gradients = new float[]?[groups];
    }

    /// <summary>The plan.</summary>
    public RelayPlan Plan { get; }

    /// <summary>Groups of the super-group.</summary>
    public int Groups => headers.Length;

    /// <summary>The upstream verdict on the super-group (stale when abandoned).</summary>
    public Task<ShardResultAck.Types.Outcome> Verdict => verdict.Task;

    /// <summary>Whether the session has ended (forwarded or abandoned).</summary>
    public bool IsOver => verdict.Task.IsCompleted;

    /// <summary>Whether <paramref name="key"/> names a group of this session's step and attempt.</summary>
    public bool Covers(ShardKey key) =>
        key.RunId == Plan.Key.RunId && key.Step == Plan.Key.Step && key.Attempt == Plan.Key.Attempt && key.Phase == ShardPhase.Single
        && key.Shard >= Plan.Key.Shard && key.Shard < Plan.EndShard;

    /// <summary>
    /// Checks a group's header against the plan and returns its group index, or -1 when that group
    /// is already in (a duplicate). Throws <see cref="ArgumentException"/> naming what does not fit.
    /// </summary>
    public int Admit(ShardResultHeader header)
    {
        int offset = header.Key.Shard - Plan.Key.Shard;
        if (offset % Plan.GroupSize != 0) throw new ArgumentException($"shard {header.Key.Shard} does not start one of this relay's groups of {Plan.GroupSize} from shard {Plan.Key.Shard}");
        int group = offset / Plan.GroupSize;
        int size = Math.Min(Plan.GroupSize, Plan.EndShard - header.Key.Shard);
        int members = header.Members.Count == 0 ? 1 : header.Members.Count;
        if (members != size) throw new ArgumentException($"the group at shard {header.Key.Shard} has {size} shards, header.members lists {members}");
        lock (gate) return headers[group] is null ? group : -1;
    }

    /// <summary>
    /// Records a group's header and decoded gradient. Returns false if the group was already in;
    /// when it completes the super-group, <paramref name="forward"/> runs once with the summed result.
    /// </summary>
    public bool Accept(int group, ShardResultHeader header, float[] gradient, Func<ShardResultHeader, float[], Task<ShardResultAck.Types.Outcome>> forward)
    {
        bool complete;
        lock (gate)
        {
            if (headers[group] is not null || IsOver) return false;
            headers[group] = header;
            gradients[group] = gradient;
            complete = ++arrived == Groups;
        }
        if (complete) _ = ForwardAsync(forward);
        return true;
    }

    private async Task ForwardAsync(Func<ShardResultHeader, float[], Task<ShardResultAck.Types.Outcome>> forward)
    {
        try
        {
            var result = new ShardResultHeader { Key = Plan.Key.Clone(), HasGradient = true };
            foreach (var h in headers)
            {
                // A member without a worker id was run by its group's worker (the collector would
                // otherwise credit the relay's first group).
                result.Members.AddRange(h!.Members.Count == 0 ? [h] : h.Members.Select(m => { if (m.WorkerId.Length == 0) m.WorkerId = h.WorkerId; return m; }));
                result.ComputeSeconds += h.ComputeSeconds;
                result.GradientSaturated += h.GradientSaturated;
            }
            result.WorkerId = headers[0]!.WorkerId;
            var sum = GroupGradient.Sum(gradients!);
            Array.Clear(gradients);
            verdict.TrySetResult(await forward(result, sum));
        }
        catch (Exception e)
        {
            verdict.TrySetException(e);
        }
    }

    /// <summary>Ends the session without forwarding (its verdict is <see cref="ShardResultAck.Types.Outcome.Stale"/>).</summary>
    public void Abandon()
    {
        lock (gate) Array.Clear(gradients);
        verdict.TrySetResult(ShardResultAck.Types.Outcome.Stale);
    }

    /// <summary>Runs <paramref name="expire"/> after <paramref name="timeout"/> unless the session ends first (its timer then goes with it).</summary>
    public void ExpireAfter(TimeSpan timeout, Action expire)
    {
        var ended = new CancellationTokenSource();
        verdict.Task.ContinueWith(_ => ended.Cancel(), TaskScheduler.Default);
        Task.Delay(timeout, ended.Token).ContinueWith(t => { if (!t.IsCanceled) expire(); }, TaskScheduler.Default);
    }
}
