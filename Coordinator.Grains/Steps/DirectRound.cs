using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Coordinator.Observability;
using MetaCluster.DataPlane.Reduction;
using WorkKind = MetaCluster.Protos.DataPlane.V1.ShardRequest.WorkOneofCase;

namespace MetaCluster.Coordinator.Steps;

/// <summary>
/// The round where every unit goes straight to the coordinator: each shard, or with a group size
/// k &gt; 1 each k consecutive training shards as one pre-reduction group that one worker process
/// sums. Every unit runs on some live worker until its result is accepted, and a round whose
/// gradient sum was broken by a dying stream runs again (<see cref="RoundRunner"/>). Used for training, evaluation, prediction and
/// TRLearner's adapt phase.
/// </summary>
public sealed class DirectRound(IWorkerCalls calls, RoundRunner rounds, AssignmentSecrets secrets)
{
    /// <summary>
    /// Runs <paramref name="work"/> on <paramref name="shards"/> (each shard's tasks), with a gradient
    /// of <paramref name="gradientElements"/> for kinds that carry one, in units of
    /// <paramref name="groupSize"/> training shards, from attempt <paramref name="firstAttempt"/> on.
    /// </summary>
    public Task<RoundResult> RunAsync(RoundWork work, IReadOnlyList<long[]> shards, int gradientElements, TimeSpan timeout, CancellationToken cancellationToken,
        int groupSize = 1, int firstAttempt = 0)
    {
        if (groupSize > 1) work = work with { Kind = work.Kind == WorkKind.Train ? WorkKind.TrainGroup : throw new ArgumentException("only training shards form groups") };
        return rounds.RunAsync(work, shards.Count, gradientElements, groupSize, firstAttempt,
            (collector, unit, plan) => TryAsync(collector, work, unit, shards, plan, timeout, cancellationToken), cancellationToken);
    }

    private async Task<AttemptResult> TryAsync(UnitCollector collector, RoundWork work, int unit, IReadOnlyList<long[]> shards, AttemptPlan plan,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        var range = collector.ShardsOf(unit);
        var worker = plan.Pick(unit);
        var assignment = new ShardAssignment(work, range.Start.Value, plan.Attempt, shards.Take(range).ToArray(), secrets.Issue(work.RunId, work.Step));
        collector.Assign(unit, plan.Attempt, assignment.Secret, assignment.Shards);
        using var span = AssignmentSpan.Start(work.RunId, work.Step, assignment.FirstShard, plan.Attempt, worker.WorkerId, worker.Device, assignment.Tasks);
        try
        {
            var receipt = await calls.RunAsync(worker.WorkerId, assignment).WaitAsync(timeout, cancellationToken);
            return new AttemptResult(collector.IsAccepted(unit), receipt.ResultBytes, receipt.Outcome.ToString(), worker.WorkerId);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.Message);
            throw new AttemptFailedException([worker.WorkerId], e);
        }
    }

}
