using MetaCluster.DataPlane.Reduction;
using MetaCluster.DataPlane.Replication;
using MetaCluster.DataPlane.Wire;
using MetaCluster.Protos.DataPlane.V1;

namespace MetaCluster.Bench.Simulated;

/// <summary>
/// One relay session of the load process (a <see cref="LoadRelayPlan"/>): it serves the step's θ
/// (<see cref="SimulatedRelayParameters"/>: replayed on a replica when the plan says its result is
/// the whole step and the load process replays, else fetched) to all its groups; takes each
/// group's float32 sum, folded in group order (the groups hand it over in this process: the hop from a group to
/// its relay is not on the wire here); and once every group is in, forwards one <c>train_group</c>
/// result with every member's header to the coordinator under the plan's key, after recording
/// the forwarded gradient, as the coordinator will fold it, for the replica.
/// </summary>
public sealed class SimulatedRelay
{
    private readonly LoadRelayPlan plan;
    private readonly string runId;
    private readonly SimulatedWorker upstream;
    private readonly SimulatedGradient gradient;
    private readonly ReplicatedParameters? replica;
    private readonly LoadTotals totals;
    private readonly OrderedGradientSum sum;
    private readonly TaskCompletionSource forwarded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int groupsIn;

    /// <summary>
    /// Opens the session of <paramref name="plan"/>, reaching the coordinator through
    /// <paramref name="upstream"/>, serving θ from <paramref name="parameters"/> (and recording its
    /// forwarded gradient for their replica when it keeps one), its arrays from <paramref name="buffers"/>.
    /// </summary>
    public SimulatedRelay(LoadRelayPlan plan, string runId, SimulatedWorker upstream, SimulatedGradient gradient, SimulatedRelayParameters parameters,
        GradientBufferPool buffers, LoadTotals totals)
    {
        this.plan = plan;
        this.runId = runId;
        this.upstream = upstream;
        this.gradient = gradient;
        this.totals = totals;
        replica = parameters.ReplicaFor(plan.ReplicateUpdate);
        Groups = (plan.EndShard - plan.FirstShard + plan.GroupSize - 1) / plan.GroupSize;
        sum = new OrderedGradientSum(Groups, gradient.Elements, buffers);
        Parameters = parameters.GetAsync(plan.FirstShard, plan.Step, plan.ReplicateUpdate, Convert.FromHexString(plan.Secret), upstream);
    }

    /// <summary>The plan.</summary>
    public LoadRelayPlan Plan => plan;

    /// <summary>Groups that meet here.</summary>
    public int Groups { get; }

    /// <summary>Completes once the step's θ is here (the groups' workers wait for it, as they would for their relay's).</summary>
    public Task Parameters { get; }

    /// <summary>Completes once the coordinator acknowledged the forwarded result; fails if forwarding did.</summary>
    public Task Forwarded => forwarded.Task;

    /// <summary>Takes the float32 sum of the group starting at <paramref name="firstShard"/>; forwards once it was the last group in.</summary>
    public void Add(int firstShard, float[] groupSum)
    {
        int offset = firstShard - plan.FirstShard;
        if (offset < 0 || firstShard >= plan.EndShard || offset % plan.GroupSize != 0)
            throw new ArgumentException($"shard {firstShard} starts no group of the relay of shards {plan.FirstShard}..{plan.EndShard - 1}");
        using (var sink = sum.Begin(offset / plan.GroupSize))
        {
            sink.Add(0, groupSum);
            sink.Complete();
        }
        if (Interlocked.Increment(ref groupsIn) == Groups) _ = ForwardAsync();
    }

    /// <summary>Ends the session without forwarding (a later plan replaced it).</summary>
    /// <remarks>
    /// Its sum is left to the collector, not given back to the pool: a group of the abandoned attempt
    /// may still be folding into it, and would write into an array another session took.
    /// </remarks>
    public void Abandon() => forwarded.TrySetResult();

    private async Task ForwardAsync()
    {
        try
        {
            byte[] payload;
            using (var lease = sum.TakeSum())
            {
                payload = gradient.Encode(lease.Values);
                if (replica is not null)
                {
                    // What the coordinator will fold: the sum after the wire type's rounding, recorded before it can publish the next version.
                    var sent = lease.Detach();
                    if (gradient.WireType != DType.Float32) GradientCodec.Decode(payload, gradient.WireType, sent);
                    replica.RecordGradient(plan.Step, plan.Attempt, sent);
                }
            }
            var header = SimulatedHeaders.Group(runId, plan.Step, plan.FirstShard, plan.EndShard - plan.FirstShard, plan.Attempt, $"simulated-relay-{plan.FirstShard}");
            header.AssignmentSecret = Google.Protobuf.ByteString.CopyFrom(Convert.FromHexString(plan.Secret));
            // Counted before sending: the round may end as soon as the coordinator has the result, before this ack is back.
            totals.Sent(payload.LongLength);
            var ack = await upstream.SendAsync(header, payload, gradient.WireType, CancellationToken.None);
            if (ack.Outcome != ShardResultAck.Types.Outcome.Accepted)
                throw new InvalidOperationException($"the relay of shards {plan.FirstShard}..{plan.EndShard - 1} of step {plan.Step} forwarded a result that was {ack.Outcome}");
            forwarded.TrySetResult();
        }
        catch (Exception e)
        {
            forwarded.TrySetException(e);
        }
    }
}
