using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.Coordinator.Observability;
using MetaCluster.TaskWorker.Contracts;
using MetaCluster.TaskWorker.Observability;
using Microsoft.Extensions.Logging;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// Fans one round of shards out to the live workers and collects their results: a shard whose
/// worker fails or times out goes to another worker as a new attempt; results are accepted once
/// per shard (see <see cref="StepCollector"/>); a step whose gradient sum was broken by a dying
/// stream is run again from scratch.
/// </summary>
public sealed partial class MetaStepExecutor(IGrainFactory grains, ShardResultInbox inbox, ILogger<MetaStepExecutor> logger)
{
    /// <summary>Attempts per shard before the step fails.</summary>
    public int MaxAttempts { get; init; } = 8;

    /// <summary>How long to wait for a first worker to join.</summary>
    public TimeSpan WorkerWait { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Runs one round: every shard once, on whichever workers are alive.</summary>
    public async Task<StepResult> RunAsync(
        ShardRequest template, IReadOnlyList<long[]> shards, int gradientElements, TimeSpan shardTimeout, CancellationToken cancellationToken)
    {
        string runId = template.Key.RunId;
        long step = template.Key.Step;
        for (int round = 0; ; round++)
        {
            var collector = inbox.Open(runId, step, shards.Count, gradientElements);
            try
            {
                var workers = await LiveWorkersAsync(cancellationToken);
                var receipts = await Task.WhenAll(shards.Select((tasks, shard) =>
                    RunShardAsync(collector, template, shard, tasks, workers, round * MaxAttempts, shardTimeout, cancellationToken)));
                if (collector.Gradient is { IsCorrupted: true })
                {
                    LogStepRestarted(runId, step);
                    continue;
                }
                return new StepResult(collector.Gradient?.Sum, collector.Headers, workers.Count,
                    receipts.Sum(r => r.Retries), receipts.Sum(r => r.Bytes));
            }
            finally
            {
                inbox.Close(runId, collector);
            }
        }
    }

    private async Task<(int Retries, long Bytes)> RunShardAsync(
        StepCollector collector, ShardRequest template, int shard, long[] tasks, IReadOnlyList<WorkerRegistration> workers,
        int firstAttempt, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var failed = new HashSet<string>(StringComparer.Ordinal);
        for (int attempt = firstAttempt; ; attempt++)
        {
            int retry = attempt - firstAttempt;
            if (retry > 0)
            {
                // Give membership a moment to notice a dead silo, then avoid the workers that failed this shard.
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 100 * (1 << Math.Min(retry, 5)))), cancellationToken);
                workers = await LiveWorkersAsync(cancellationToken);
            }
            var candidates = workers.Where(w => !failed.Contains(w.WorkerId)).ToArray();
            if (candidates.Length == 0) candidates = [.. workers];
            var worker = candidates[(shard + retry) % candidates.Length];
            var request = template.Clone();
            request.Key.Shard = shard;
            request.Key.Attempt = attempt;
            request.TaskIndices.Clear();
            request.TaskIndices.AddRange(tasks);
            collector.Assign(shard, attempt);
            using var span = ShardAssignment.Start(template.Key, shard, attempt, worker.WorkerId, worker.Device, tasks.Length);
            request.TraceParent = ClusterTelemetry.CurrentTraceParent();
            try
            {
                var receipt = await grains.GetGrain<ITaskWorkerGrain>(worker.WorkerId)
                    .RunShardAsync(EncodedShardRequest.From(request))
                    .WaitAsync(timeout, cancellationToken);
                if (collector.IsAccepted(shard))
                    return (attempt - firstAttempt, receipt.ResultBytes);
                LogShardNotAccepted(template.Key.RunId, template.Key.Step, shard, attempt, worker.WorkerId, receipt.Outcome.ToString());
                if (attempt - firstAttempt + 1 >= MaxAttempts)
                    throw new ShardFailedException($"shard {shard} of step {template.Key.Step} was not accepted after {MaxAttempts} attempts");
            }
            catch (ShardFailedException)
            {
                throw;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                if (collector.IsAccepted(shard)) return (attempt - firstAttempt, 0);
                span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.Message);
                failed.Add(worker.WorkerId);
                LogShardFailed(template.Key.RunId, template.Key.Step, shard, attempt, worker.WorkerId, e.GetType().Name, e.Message);
                if (attempt - firstAttempt + 1 >= MaxAttempts)
                    throw new ShardFailedException($"shard {shard} of step {template.Key.Step} failed {MaxAttempts} times; last error: {e.Message}", e);
            }
        }
    }

    private async Task<IReadOnlyList<WorkerRegistration>> LiveWorkersAsync(CancellationToken cancellationToken)
    {
        var registry = grains.GetGrain<IWorkerRegistryGrain>(0);
        var deadline = DateTime.UtcNow + WorkerWait;
        while (true)
        {
            var workers = await registry.GetWorkersAsync();
            if (workers.Count > 0) return workers;
            if (DateTime.UtcNow > deadline) throw new ShardFailedException($"no worker joined within {WorkerWait.TotalSeconds:0} s");
            await Task.Delay(200, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} step {Step}: a gradient stream broke after part of it was summed; running the step again")]
    private partial void LogStepRestarted(string runId, long step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} step {Step} shard {Shard} attempt {Attempt} on {Worker} failed ({Error}: {Message}); reassigning")]
    private partial void LogShardFailed(string runId, long step, int shard, int attempt, string worker, string error, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} step {Step} shard {Shard} attempt {Attempt} on {Worker} was not accepted ({Outcome}); reassigning")]
    private partial void LogShardNotAccepted(string runId, long step, int shard, int attempt, string worker, string outcome);
}

/// <summary>A shard could not be completed on any worker.</summary>
public sealed class ShardFailedException(string message, Exception? inner = null) : Exception(message, inner);
