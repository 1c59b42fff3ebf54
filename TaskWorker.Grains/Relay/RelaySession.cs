using MetaCluster.DataPlane.Reduction;
using MetaCluster.Protos.DataPlane.V1;
using ResultKind = MetaCluster.Protos.DataPlane.V1.ShardResultHeader.ResultOneofCase;

namespace MetaCluster.TaskWorker.Relay;

/// <summary>
/// One super-group of one step at a reduction relay (see <see cref="RelayPlan"/>): the same
/// exactly-once core as the coordinator's rounds (<see cref="UnitCollector"/>, units = the plan's
/// groups, every one assigned the plan's attempt) takes each group's pre-reduced result once and
/// folds the gradients in group order; once every group is in, the session forwards one result
/// upstream. <see cref="Forwarded"/> completes when the upstream acknowledged it (or the session
/// was abandoned: replaced by a newer plan, or out of time) and fails if forwarding did.
/// </summary>
public sealed class RelaySession : IDisposable
{
    private readonly TaskCompletionSource forwarded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Opens the session of <paramref name="plan"/>; <paramref name="forward"/> sends its result once every group is in.</summary>
    public RelaySession(RelayPlan plan, Func<RelayPlan, ShardResultHeader, GradientLease, Task> forward)
    {
        if (plan.Key is null || plan.GroupSize < 1 || plan.EndShard <= plan.Key.Shard || plan.Elements < 1 || string.IsNullOrEmpty(plan.UpstreamUrl))
            throw new ArgumentException("a relay plan needs a key, group_size ≥ 1, end_shard > key.shard, elements ≥ 1 and upstream_url");
        Plan = plan;
        Collector = new UnitCollector(plan.Key.RunId, plan.Key.Step, ResultKind.TrainGroup, plan.EndShard - plan.Key.Shard, plan.Elements, plan.GroupSize, plan.Key.Shard);
        for (int unit = 0; unit < Collector.Units; unit++) Collector.Assign(unit, plan.Key.Attempt, plan.AssignmentSecret.ToByteArray());
        Collector.WhenAllAccepted.ContinueWith(_ => ForwardAsync(forward), TaskScheduler.Default);
    }

    /// <summary>The plan.</summary>
    public RelayPlan Plan { get; }

    /// <summary>The groups' results as they arrive.</summary>
    public UnitCollector Collector { get; }

    /// <summary>Completes when the super-group's result was acknowledged upstream, or the session abandoned; fails with the forward's error.</summary>
    public Task Forwarded => forwarded.Task;

    /// <summary>Whether the session has ended (forwarded or abandoned).</summary>
    public bool IsOver => forwarded.Task.IsCompleted;

    /// <summary>Whether <paramref name="key"/> names a shard of this session's step and attempt.</summary>
    public bool Covers(ShardKey key) =>
        key.RunId == Plan.Key.RunId && key.Step == Plan.Key.Step && key.Attempt == Plan.Key.Attempt
        && key.Shard >= Plan.Key.Shard && key.Shard < Plan.EndShard;

    private async Task ForwardAsync(Func<RelayPlan, ShardResultHeader, GradientLease, Task> forward)
    {
        if (IsOver) return;
        try
        {
            var groups = Collector.UnitResults;
            var result = new ShardResultHeader
            {
                Key = Plan.Key.Clone(), WorkerId = groups[0].WorkerId, TrainGroup = new TrainGroupResult(), AssignmentSecret = Plan.AssignmentSecret,
            };
            foreach (var group in groups)
            {
                result.TrainGroup.Members.AddRange(group.TrainGroup.Members);
                result.TrainGroup.GradientSaturated += group.TrainGroup.GradientSaturated;
                result.ComputeSeconds += group.ComputeSeconds;
            }
            await forward(Plan, result, Collector.Gradient!.TakeSum());
            forwarded.TrySetResult();
        }
        catch (Exception e)
        {
            forwarded.TrySetException(e);
        }
    }

    /// <summary>Ends the session without forwarding.</summary>
    public void Abandon()
    {
        forwarded.TrySetResult();
        Collector.Dispose();
    }

    /// <summary>Runs <paramref name="expire"/> after <paramref name="timeout"/> unless the session ends first (its timer then goes with it).</summary>
    public void ExpireAfter(TimeSpan timeout, Action expire)
    {
        var ended = new CancellationTokenSource();
        forwarded.Task.ContinueWith(_ => ended.Cancel(), TaskScheduler.Default);
        Task.Delay(timeout, ended.Token).ContinueWith(t => { if (!t.IsCanceled) expire(); }, TaskScheduler.Default);
    }

    /// <inheritdoc/>
    public void Dispose() => Abandon();
}
