using MetaCluster.Coordinator.DataPlane;
using MetaCluster.DataPlane.Reduction;
using Microsoft.Extensions.Logging;
using ResultKind = MetaCluster.Protos.DataPlane.V1.ShardResultHeader.ResultOneofCase;

namespace MetaCluster.Coordinator.Steps;

/// <summary>
/// The skeleton every round shares, whatever its topology: open the round's collector, take the
/// live workers, run every unit through the <see cref="AttemptLoop"/> until its result is accepted,
/// and hand back what the collector holds. A round whose gradient sum was broken by a dying stream
/// (floating-point addition cannot be undone exactly) runs again from scratch, under new attempt
/// numbers, so nothing of the broken one reaches the result.
/// </summary>
public sealed partial class RoundRunner(IWorkerRoster roster, AttemptLoop attempts, ShardResultInbox inbox, ILogger<RoundRunner> logger)
{
    /// <summary>Tries per unit before a round fails.</summary>
    public int MaxAttempts => attempts.MaxAttempts;

    /// <summary>
    /// Runs the units of <paramref name="shards"/> shards of <paramref name="work"/> (in units of
    /// <paramref name="unitSize"/>, with a gradient of <paramref name="gradientElements"/> for kinds
    /// that carry one), each try of a unit made by <paramref name="tryUnit"/>, from attempt
    /// <paramref name="firstAttempt"/> on.
    /// </summary>
    public async Task<RoundResult> RunAsync(RoundWork work, int shards, int gradientElements, int unitSize, int firstAttempt,
        Func<UnitCollector, int, AttemptPlan, Task<AttemptResult>> tryUnit, CancellationToken cancellationToken)
    {
        var kind = ResultKinds.Answering(work.Kind);
        for (int restart = 0; ; restart++)
        {
            var collector = inbox.Open(work.RunId, work.Step, kind, shards, gradientElements, unitSize);
            try
            {
                var workers = await roster.LiveAsync(cancellationToken);
                int first = firstAttempt + restart * attempts.MaxAttempts;
                var units = await Task.WhenAll(Enumerable.Range(0, collector.Units).Select(unit =>
                    attempts.RunAsync(new UnitLabel(work.RunId, work.Step, collector.ShardsOf(unit).Start.Value), workers, first,
                        plan => tryUnit(collector, unit, plan), () => collector.IsAccepted(unit), cancellationToken)));
                if (collector.Gradient is { IsCorrupted: true })
                {
                    LogRoundRestarted(work.RunId, work.Step);
                    collector.Dispose();
                    continue;
                }
                return new RoundResult(collector.ShardResults, collector.UnitResults, collector.Gradient?.TakeSum(), workers.Count,
                    units.Sum(u => u.Retries), units.Sum(u => u.Bytes)) { Outputs = kind == ResultKind.RelationOutputs ? collector.Outputs : [] };
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
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} step {Step}: a gradient stream broke after part of it was summed; running the round again")]
    private partial void LogRoundRestarted(string runId, long step);
}
