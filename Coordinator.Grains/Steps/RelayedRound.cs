using MetaCluster.Abstractions;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Coordinator.Observability;
using MetaCluster.DataPlane.Reduction;
using MetaCluster.Protos.DataPlane.V1;
using WorkKind = MetaCluster.Protos.DataPlane.V1.ShardRequest.WorkOneofCase;

namespace MetaCluster.Coordinator.Steps;

/// <summary>
/// The training round through a reduction tree: each f consecutive groups of k shards form a
/// super-group, whose groups run on (up to) f worker processes and meet at a relay in the first
/// group's process; the relay sums them in group order and sends the coordinator one result, so the
/// summation order is fixed by (shards, k, f). Any failure (the relay's or a group's) runs the whole
/// super-group again as a new attempt, spread from another worker; the abandoned attempt's results
/// are stale at the relay and here.
/// </summary>
public sealed class RelayedRound(IWorkerCalls calls, RoundRunner rounds, AssignmentSecrets secrets)
{
    /// <summary>Runs training <paramref name="work"/> on <paramref name="shards"/> in groups of <paramref name="groupSize"/>, <paramref name="fanIn"/> groups per relay.</summary>
    public async Task<RoundResult> RunAsync(RoundWork work, IReadOnlyList<long[]> shards, int gradientElements, int groupSize, int fanIn, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        if (work.Kind != WorkKind.Train) throw new ArgumentException("a reduction tree carries training rounds only");
        work = work with { Kind = WorkKind.TrainGroup };
        var result = await rounds.RunAsync(work, shards.Count, gradientElements, groupSize * fanIn, firstAttempt: 0,
            (collector, unit, plan) => TryAsync(collector, work, unit, shards, groupSize, fanIn, gradientElements, plan, timeout, cancellationToken), cancellationToken);
        // One relay's result alone made the gradient: the relay that forwarded it can replay the update.
        return result.Units.Count == 1 ? result with { SoleRelayedResult = result.Units[0].Key } : result;
    }

    private async Task<AttemptResult> TryAsync(UnitCollector collector, RoundWork work, int unit, IReadOnlyList<long[]> shards, int groupSize, int fanIn,
        int elements, AttemptPlan plan, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var members = collector.ShardsOf(unit);
        int first = members.Start.Value, end = members.End.Value;
        var groups = Enumerable.Range(0, (end - first + groupSize - 1) / groupSize)
            .Select(g => new Range(first + g * groupSize, Math.Min(end, first + (g + 1) * groupSize))).ToArray();
        var assigned = groups.Select((_, g) => plan.Pick(unit * fanIn + g)).ToArray();
        var secret = secrets.Issue(work.RunId, work.Step);
        collector.Assign(unit, plan.Attempt, secret, shards.Take(members).ToArray());
        var key = new ShardKey { RunId = work.RunId, Step = work.Step, Shard = first, Attempt = plan.Attempt };
        var relayPlan = new RelayPlan
        {
            Key = key, EndShard = end, GroupSize = groupSize, Elements = elements, GradDtype = work.Spec.GradDtype,
            UpstreamUrl = work.DataPlaneUrl, TimeoutSeconds = timeout.TotalSeconds,
            // This relay's result is the whole step's gradient: it can keep a replica of the optimiser.
            ReplicateUpdate = collector.Units == 1,
            AssignmentSecret = Google.Protobuf.ByteString.CopyFrom(secret),
        };
        using var span = AssignmentSpan.Start(work.RunId, work.Step, first, plan.Attempt, assigned[0].WorkerId, assigned[0].Device, shards.Take(members).Sum(s => s.Length));
        Task<ShardReceipt>[] runs = [];
        try
        {
            string relayUrl = await calls.OpenRelayAsync(assigned[0].WorkerId, relayPlan).WaitAsync(timeout, cancellationToken);
            runs = groups.Select((g, i) => calls.RunAsync(assigned[i].WorkerId, new ShardAssignment(work, g.Start.Value, plan.Attempt, shards.Take(g).ToArray(), secret, relayUrl))).ToArray();
            var receipts = await AllUnlessOneFails(runs).WaitAsync(timeout, cancellationToken);
            // The relay answered each group when it held it; the super-group is in once the relay's
            // forwarded result is accepted here. The relay's forward call fails at once if the
            // forward did (or its process died), so the super-group need not wait out the timeout.
            if (receipts.All(r => r.Outcome == ShardResultAck.Types.Outcome.Accepted))
            {
                var forwarded = calls.AwaitRelayAsync(assigned[0].WorkerId, key);
                await Task.WhenAny(collector.WhenAccepted(unit), forwarded).WaitAsync(timeout, cancellationToken);
                if (!collector.IsAccepted(unit)) await forwarded; // rethrows the relay's failure
            }
            return new AttemptResult(collector.IsAccepted(unit), receipts.Sum(r => r.ResultBytes), string.Join(",", receipts.Select(r => r.Outcome).Distinct()), assigned[0].WorkerId);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.Message);
            // Blame the groups whose calls failed; if none did, the relay (or its process) did.
            var blamed = runs.Select((r, g) => (r, g)).Where(x => x.r.IsFaulted).Select(x => assigned[x.g].WorkerId).ToList();
            if (blamed.Count == 0) blamed.Add(assigned[0].WorkerId);
            throw new AttemptFailedException(blamed, e);
        }
    }

    // Every call's receipt, or the first failure as soon as one fails (the others are left to end
    // on their own: their relay session is abandoned or runs out of time).
    private static async Task<ShardReceipt[]> AllUnlessOneFails(Task<ShardReceipt>[] runs)
    {
        var pending = runs.ToList();
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending);
            await done; // throws if it failed
            pending.Remove(done);
        }
        return runs.Select(r => r.Result).ToArray();
    }
}
