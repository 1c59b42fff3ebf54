using MetaCluster.Abstractions;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Coordinator.Observability;
using MetaCluster.DataPlane.Reduction;
using MetaCluster.Protos.DataPlane.V1;
using Microsoft.Extensions.Logging;
using ResultKind = MetaCluster.Protos.DataPlane.V1.ShardResultHeader.ResultOneofCase;
using WorkKind = MetaCluster.Protos.DataPlane.V1.ShardRequest.WorkOneofCase;

namespace MetaCluster.Coordinator.Steps;

/// <summary>What TRLearner's two-phase round brought back: the phase-2 round (its gradient sum, each already divided by T) and the adapt phase's headers.</summary>
public sealed record RelationRoundResult(RoundResult Backward, IReadOnlyList<ShardResultHeader> Adapted, int Retries);

/// <summary>
/// TRLearner's exact two-phase round. Phase 1: every shard adapts its tasks on some worker
/// (a <see cref="DirectRound"/>, reassigned on failure), which keeps the graph and returns z_i and
/// the chosen meta-data references; then the same worker computes g_i(X) on the pooled meta-data.
/// The coordinator turns the gathered results into each shard's upstream gradients. Phase 2: the
/// same workers backpropagate and return their gradients, summed in shard order. A shard whose
/// worker fails after phase 1 has lost its graph, so the whole round runs again from phase 1 with
/// new attempts: nothing of a failed round reaches the result.
/// </summary>
public sealed partial class RelationRound(DirectRound direct, IWorkerCalls calls, ShardResultInbox inbox, UpstreamGradientStore upstream, AssignmentSecrets secrets,
    ILogger<RelationRound> logger)
{
    /// <summary>
    /// Runs the round of <paramref name="work"/> on <paramref name="shards"/>; <paramref name="relate"/>
    /// turns the adapt headers and the task outputs into each shard's upstream gradients (∂L_TR/∂z rows
    /// then ∂L_TR/∂g rows, flat, shard order); <paramref name="phaseEnded"/> marks each phase's end.
    /// </summary>
    public async Task<RelationRoundResult> RunAsync(RoundWork work, IReadOnlyList<long[]> shards, int gradientElements, TimeSpan timeout, int maxRestarts,
        Func<IReadOnlyList<ShardResultHeader>, IReadOnlyList<(float[] Values, long[] Shape)>, float[][]> relate, Action<string> phaseEnded, CancellationToken cancellationToken)
    {
        for (int restart = 0; ; restart++)
        {
            try
            {
                return await RunOnceAsync(work, shards, gradientElements, timeout, restart, maxRestarts, relate, phaseEnded, cancellationToken);
            }
            catch (RelationPhaseFailedException e)
            {
                LogRestarted(work.RunId, work.Step, e.Message);
                if (restart + 1 >= maxRestarts)
                    throw new ShardFailedException($"step {work.Step} of run {work.RunId}: TRLearner's two-phase step failed {restart + 1} times; last error: {e.Message}", e);
            }
            finally
            {
                upstream.Remove(work.RunId);
            }
        }
    }

    private async Task<RelationRoundResult> RunOnceAsync(RoundWork work, IReadOnlyList<long[]> shards, int gradientElements, TimeSpan timeout, int restart, int maxAttempts,
        Func<IReadOnlyList<ShardResultHeader>, IReadOnlyList<(float[] Values, long[] Shape)>, float[][]> relate, Action<string> phaseEnded, CancellationToken cancellationToken)
    {
        // Phase 1: adapt, keep the graphs, return z_i and the meta-data references.
        var adapt = await direct.RunAsync(work with { Kind = WorkKind.RelationAdapt }, shards, 0, timeout, cancellationToken, firstAttempt: restart * maxAttempts);
        var adapted = adapt.Shards;
        phaseEnded(RunMetrics.Phases.RelationAdapt);

        // Phase 1, second half: g_i(X) on the pooled meta-data, by the workers that keep the graphs.
        var pooled = adapted.SelectMany(h => h.RelationAdapt.MetaData).OrderBy(r => r.TaskIndex).ThenBy(r => r.QuerySample).ToArray();
        var outputs = await PinnedAsync(work with { Kind = WorkKind.RelationOutputs, PooledMetaData = pooled }, adapted, 0, timeout, cancellationToken);
        phaseEnded(RunMetrics.Phases.RelationOutputs);

        // The coordinator's part: A, L_TR and the upstream gradients of each shard's tasks.
        var perShard = relate(adapted, outputs.Outputs);
        phaseEnded(RunMetrics.Phases.Relation);
        if (perShard.Length != shards.Count) throw new InvalidOperationException($"{perShard.Length} upstream gradients for {shards.Count} shards");
        upstream.Publish(work.RunId, work.Step, adapted.Select((h, shard) => (Key: (shard, h.Key.Attempt), Values: perShard[shard])).ToDictionary(p => p.Key, p => p.Values));

        // Phase 2: backpropagate through the kept graphs; gradients are summed in shard order.
        var backward = await PinnedAsync(work with { Kind = WorkKind.RelationBackward }, adapted, gradientElements, timeout, cancellationToken);
        phaseEnded(RunMetrics.Phases.RelationBackward);
        return new RelationRoundResult(backward, adapted, adapt.Retries + restart);
    }

    // A later phase must run where each shard's graph is kept, under its adapt attempt; if that fails, the graph is gone.
    private async Task<RoundResult> PinnedAsync(RoundWork work, IReadOnlyList<ShardResultHeader> adapted, int gradientElements, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var collector = inbox.Open(work.RunId, work.Step, ResultKinds.Answering(work.Kind), adapted.Count, gradientElements);
        try
        {
            var receipts = await Task.WhenAll(adapted.Select(async (header, shard) =>
            {
                var assignment = new ShardAssignment(work, shard, header.Key.Attempt, [[.. header.TaskIndices]], secrets.Issue(work.RunId, work.Step));
                collector.Assign(shard, header.Key.Attempt, assignment.Secret, assignment.Shards);
                try
                {
                    var receipt = await calls.RunAsync(header.WorkerId, assignment).WaitAsync(timeout, cancellationToken);
                    return collector.IsAccepted(shard) ? receipt
                        : throw new RelationPhaseFailedException($"{work.Kind} of shard {shard} on {header.WorkerId} was not accepted ({receipt.Outcome})");
                }
                catch (DeterministicWorkException rejected)
                {
                    throw new ShardFailedException(rejected.Message, rejected);
                }
                catch (Exception e) when (e is not RelationPhaseFailedException && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
                {
                    throw new RelationPhaseFailedException($"{work.Kind} of shard {shard} on {header.WorkerId} failed ({e.GetType().Name}: {e.Message})", e);
                }
            }));
            if (collector.Gradient is { IsCorrupted: true }) throw new RelationPhaseFailedException("a phase-2 gradient stream broke after part of it was summed");
            return new RoundResult(collector.ShardResults, collector.UnitResults, collector.Gradient?.TakeSum(), adapted.Count, 0, receipts.Sum(r => r.ResultBytes))
            {
                Outputs = collector.Kind == ResultKind.RelationOutputs ? collector.Outputs : [],
            };
        }
        catch
        {
            collector.Dispose();
            throw;
        }
        finally
        {
            inbox.Close(collector);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} step {Step}: TRLearner's two-phase step runs again from phase 1 ({Reason})")]
    private partial void LogRestarted(string runId, long step, string reason);
}

/// <summary>A later phase of TRLearner's step failed; its graphs are lost, so the step restarts from phase 1.</summary>
public sealed class RelationPhaseFailedException(string message, Exception? inner = null) : Exception(message, inner);
