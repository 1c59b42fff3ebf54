using MetaCluster.Abstractions;
using Microsoft.Extensions.Logging;

namespace MetaCluster.Coordinator.Steps;

/// <summary>One try at a unit: its attempt number, how many tries came before, and the workers to pick from.</summary>
public sealed record AttemptPlan(int Attempt, int Retry, IReadOnlyList<WorkerRegistration> Candidates)
{
    /// <summary>The worker for slot <paramref name="slot"/> of the unit (its first group, its second, …), shifted by each retry.</summary>
    public WorkerRegistration Pick(int slot) => Candidates[(slot + Retry) % Candidates.Count];
}

/// <summary>How a try ended without failing: whether the unit's result was accepted, and what was moved.</summary>
public readonly record struct AttemptResult(bool Accepted, long Bytes, string Detail, string Worker);

/// <summary>A try failed; the workers it blames are left out of the unit's next tries.</summary>
public sealed class AttemptFailedException(IReadOnlyList<string> blamed, Exception inner) : Exception(inner.Message, inner)
{
    /// <summary>The workers (or relay) that failed.</summary>
    public IReadOnlyList<string> Blamed => blamed;
}

/// <summary>
/// The one retry policy of every round: a unit is tried until its result is accepted, each try with
/// a new attempt number (so a late result of an earlier try is stale), after a growing pause, on the
/// workers alive then, leaving out those that failed it; after <see cref="MaxAttempts"/> tries the
/// round fails.
/// </summary>
public sealed partial class AttemptLoop(IWorkerRoster roster, ILogger<AttemptLoop> logger)
{
    /// <summary>Tries per unit before the round fails.</summary>
    public int MaxAttempts { get; init; } = 8;

    /// <summary>
    /// Tries a unit (<paramref name="label"/>: run, step and first shard, for messages) with
    /// <paramref name="tryOnce"/> from attempt <paramref name="firstAttempt"/> on, starting with
    /// <paramref name="workers"/>; <paramref name="isAccepted"/> says whether a try that failed late
    /// got its result in anyway. Returns the retries it took and the bytes moved.
    /// </summary>
    public async Task<(int Retries, long Bytes)> RunAsync(UnitLabel label, IReadOnlyList<WorkerRegistration> workers, int firstAttempt,
        Func<AttemptPlan, Task<AttemptResult>> tryOnce, Func<bool> isAccepted, CancellationToken cancellationToken)
    {
        var failed = new HashSet<string>(StringComparer.Ordinal);
        for (int attempt = firstAttempt; ; attempt++)
        {
            int retry = attempt - firstAttempt;
            if (retry > 0) workers = await BeforeRetryAsync(label, retry, workers, cancellationToken);
            var plan = new AttemptPlan(attempt, retry, Candidates(workers, failed));
            Exception? error = null;
            try
            {
                var result = await tryOnce(plan);
                if (result.Accepted)
                {
                    roster.Succeeded(result.Worker);
                    return (retry, result.Bytes);
                }
                LogNotAccepted(label.RunId, label.Step, label.Shard, attempt, result.Worker, result.Detail);
            }
            catch (AttemptFailedException e) when (e.InnerException is DeterministicWorkException rejected)
            {
                // The same on any worker: fail now, with the worker's one line, instead of 8 times.
                LogRejected(label.RunId, label.Step, label.Shard, rejected.Message);
                throw new ShardFailedException(rejected.Message, rejected);
            }
            catch (AttemptFailedException e)
            {
                if (isAccepted()) return (retry, 0);
                failed.UnionWith(e.Blamed);
                await roster.FailedAsync(e.Blamed);
                LogFailed(label.RunId, label.Step, label.Shard, attempt, string.Join(",", e.Blamed), e.InnerException?.GetType().Name ?? "", e.Message);
                error = e.InnerException;
            }
            if (retry + 1 >= MaxAttempts)
                throw new ShardFailedException(error is null
                    ? $"shard {label.Shard} of step {label.Step} was not accepted after {MaxAttempts} attempts"
                    : $"shard {label.Shard} of step {label.Step} failed {MaxAttempts} times; last error: {error.Message}", error);
        }
    }

    // Gives membership a moment to notice a dead silo before a retry, then the live workers again.
    // A roster that cannot be read (the control plane timing out) costs this attempt, which goes to
    // the workers known before, never the run.
    private async Task<IReadOnlyList<WorkerRegistration>> BeforeRetryAsync(UnitLabel label, int retry, IReadOnlyList<WorkerRegistration> known,
        CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 100 * (1 << Math.Min(retry, 5)))), cancellationToken);
        try
        {
            return await roster.LiveAsync(cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogRosterUnread(label.RunId, label.Step, label.Shard, e.Message);
            return known;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} step {Step} shard {Shard}: could not read the live workers ({Message}); retrying on the workers known before")]
    private partial void LogRosterUnread(string runId, long step, int shard, string message);

    // The workers that have not failed this unit yet (all of them, if every one has).
    private static WorkerRegistration[] Candidates(IReadOnlyList<WorkerRegistration> workers, HashSet<string> failed)
    {
        var candidates = workers.Where(w => !failed.Contains(w.WorkerId)).ToArray();
        return candidates.Length > 0 ? candidates : [.. workers];
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Run {RunId} step {Step} shard {Shard}: the work cannot succeed on any worker ({Reason}); the round fails without retrying")]
    private partial void LogRejected(string runId, long step, int shard, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} step {Step} shard {Shard} attempt {Attempt} on {Worker} failed ({Error}: {Message}); reassigning")]
    private partial void LogFailed(string runId, long step, int shard, int attempt, string worker, string error, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} step {Step} shard {Shard} attempt {Attempt} on {Worker} was not accepted ({Outcome}); reassigning")]
    private partial void LogNotAccepted(string runId, long step, int shard, int attempt, string worker, string outcome);
}

/// <summary>Names a unit in messages: its run, step and first shard.</summary>
public readonly record struct UnitLabel(string RunId, long Step, int Shard);

/// <summary>A unit could not be completed on any worker.</summary>
public sealed class ShardFailedException(string message, Exception? inner = null) : Exception(message, inner);
