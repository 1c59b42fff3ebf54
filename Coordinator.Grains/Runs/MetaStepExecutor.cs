using Google.Protobuf;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.Coordinator.Observability;
using MetaCluster.Abstractions;
using MetaCluster.ServiceDefaults.Telemetry;
using Microsoft.Extensions.Logging;
using MetaCluster.DataPlane.Reduction;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// Fans one round of shards out to the live workers and collects their results: a shard whose
/// worker fails or times out goes to another worker as a new attempt; results are accepted once
/// per shard (see <see cref="StepCollector"/>); a step whose gradient sum was broken by a dying
/// stream is run again from scratch.
/// </summary>
public sealed partial class MetaStepExecutor(IGrainFactory grains, ShardResultInbox inbox, UpstreamGradientStore upstream, ILogger<MetaStepExecutor> logger)
{
    /// <summary>Attempts per shard before the step fails.</summary>
    public int MaxAttempts { get; init; } = 8;

    /// <summary>How long to wait for a first worker to join.</summary>
    public TimeSpan WorkerWait { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Runs one round: every shard once, on whichever workers are alive. With
    /// <paramref name="groupSize"/> k &gt; 1 (training rounds), each k consecutive shards go to one
    /// worker as a pre-reduction group, which returns one gradient for them (see
    /// <see cref="StepCollector"/>); a failed group is run again as a whole elsewhere. With
    /// <paramref name="treeFanIn"/> f &gt; 1, each f consecutive groups form a super-group that meets at
    /// a relay in the first group's worker process, which sends one gradient for them all.
    /// </summary>
    public async Task<StepResult> RunAsync(
        ShardRequest template, IReadOnlyList<long[]> shards, int gradientElements, TimeSpan shardTimeout, CancellationToken cancellationToken,
        int groupSize = 1, int treeFanIn = 1)
    {
        string runId = template.Key.RunId;
        long step = template.Key.Step;
        for (int round = 0; ; round++)
        {
            var collector = inbox.Open(runId, step, shards.Count, gradientElements, groupSize: groupSize * treeFanIn);
            try
            {
                var workers = await LiveWorkersAsync(cancellationToken);
                var receipts = await Task.WhenAll(Enumerable.Range(0, collector.Units).Select(unit => treeFanIn > 1
                    ? RunRelayedUnitAsync(collector, template, unit, shards, workers, groupSize, treeFanIn, gradientElements, round * MaxAttempts, shardTimeout, cancellationToken)
                    : RunUnitAsync(collector, template, unit, shards, workers, round * MaxAttempts, shardTimeout, cancellationToken)));
                if (collector.Gradient is { IsCorrupted: true })
                {
                    LogStepRestarted(runId, step);
                    continue;
                }
                var headers = collector.Headers;
                return new StepResult(collector.Gradient?.Sum, headers, workers.Count, receipts.Sum(r => r.Retries), receipts.Sum(r => r.Bytes))
                {
                    SoleRelayedResult = treeFanIn > 1 && collector.Units == 1 ? new ShardKey { RunId = runId, Step = step, Shard = 0, Attempt = headers[0].Key.Attempt } : null,
                };
            }
            finally
            {
                inbox.Close(runId, collector);
            }
        }
    }

    /// <summary>Hands a step's gradient sum back once used, for the next step's sum to reuse.</summary>
    public void Recycle(float[] gradientSum) => inbox.Recycle(gradientSum);

    /// <summary>
    /// Runs TRLearner's exact two-phase step. Phase 1: every shard adapts its tasks on some worker
    /// (reassigned on failure, as in <see cref="RunAsync"/>), which keeps the graph and returns z_i and
    /// the chosen meta-data references; then the same worker computes g_i(X) on the pooled
    /// meta-data. <paramref name="relate"/> turns the gathered results into each shard's upstream
    /// gradients (∂L_TR/∂z rows then ∂L_TR/∂g rows, flat, in shard order). Phase 2: the same workers
    /// backpropagate and return their gradients, summed in shard order. A shard whose worker fails
    /// after phase 1 has lost its graph, so the whole step runs again from phase 1 with new
    /// attempts: nothing of a failed round reaches the result.
    /// </summary>
    public async Task<RelationStepResult> RunRelationStepAsync(
        ShardRequest template, IReadOnlyList<long[]> shards, int gradientElements, TimeSpan shardTimeout,
        Func<IReadOnlyList<ShardResultHeader>, IReadOnlyList<(float[] Values, long[] Shape)>, float[][]> relate, CancellationToken cancellationToken,
        Action<string>? phaseEnded = null)
    {
        string runId = template.Key.RunId;
        long step = template.Key.Step;
        int restarts = 0;
        for (int round = 0; ; round++)
        {
            try
            {
                return await RunRelationRoundAsync(template, shards, gradientElements, shardTimeout, relate, round * MaxAttempts, restarts, phaseEnded, cancellationToken);
            }
            catch (RelationPhaseFailedException e)
            {
                restarts++;
                LogRelationStepRestarted(runId, step, e.Message);
                if (restarts >= MaxAttempts) throw new ShardFailedException($"step {step} of run {runId}: TRLearner's two-phase step failed {restarts} times; last error: {e.Message}", e);
            }
            finally
            {
                upstream.Remove(runId);
            }
        }
    }

    private async Task<RelationStepResult> RunRelationRoundAsync(
        ShardRequest template, IReadOnlyList<long[]> shards, int gradientElements, TimeSpan shardTimeout,
        Func<IReadOnlyList<ShardResultHeader>, IReadOnlyList<(float[] Values, long[] Shape)>, float[][]> relate,
        int firstAttempt, int restarts, Action<string>? phaseEnded, CancellationToken cancellationToken)
    {
        string runId = template.Key.RunId;
        long step = template.Key.Step;

        // Phase 1: adapt, keep the graphs, return z_i and the meta-data references.
        var adaptTemplate = template.Clone();
        adaptTemplate.Key.Phase = ShardPhase.RelationAdapt;
        IReadOnlyList<ShardResultHeader> adapted;
        IReadOnlyList<WorkerRegistration> workers;
        int retries;
        long bytes;
        var collector = inbox.Open(runId, step, shards.Count, 0, ShardPhase.RelationAdapt);
        try
        {
            workers = await LiveWorkersAsync(cancellationToken);
            var receipts = await Task.WhenAll(Enumerable.Range(0, shards.Count).Select(shard =>
                RunUnitAsync(collector, adaptTemplate, shard, shards, workers, firstAttempt, shardTimeout, cancellationToken)));
            adapted = collector.Headers;
            retries = receipts.Sum(r => r.Retries) + restarts;
            bytes = receipts.Sum(r => r.Bytes);
        }
        finally
        {
            inbox.Close(runId, collector);
        }
        phaseEnded?.Invoke(ClusterMetrics.Phases.RelationAdapt);

        // Phase 1, second half: g_i(X) on the pooled meta-data, by the workers that keep the graphs.
        var pooled = adapted.SelectMany(h => h.MetaData).OrderBy(r => r.TaskIndex).ThenBy(r => r.QuerySample).ToArray();
        collector = inbox.Open(runId, step, shards.Count, 0, ShardPhase.RelationOutputs);
        IReadOnlyList<(float[] Values, long[] Shape)> outputs;
        try
        {
            var sent = await Task.WhenAll(adapted.Select((header, shard) =>
            {
                var request = PinnedRequest(template, header, ShardPhase.RelationOutputs);
                request.PooledMetaData.AddRange(pooled);
                return RunPinnedAsync(collector, request, header.WorkerId, shardTimeout, cancellationToken);
            }));
            bytes += sent.Sum();
            outputs = collector.Outputs;
        }
        finally
        {
            inbox.Close(runId, collector);
        }
        phaseEnded?.Invoke(ClusterMetrics.Phases.RelationOutputs);

        // The coordinator's part: A, L_TR and the upstream gradients of each shard's tasks.
        var perShard = relate(adapted, outputs);
        phaseEnded?.Invoke(ClusterMetrics.Phases.Relation);
        if (perShard.Length != shards.Count) throw new InvalidOperationException($"{perShard.Length} upstream gradients for {shards.Count} shards");
        upstream.Publish(runId, step, adapted.Select((h, shard) => (Key: (shard, h.Key.Attempt), Values: perShard[shard])).ToDictionary(p => p.Key, p => p.Values));

        // Phase 2: backpropagate through the kept graphs; gradients are summed in shard order.
        collector = inbox.Open(runId, step, shards.Count, gradientElements, ShardPhase.RelationBackward);
        try
        {
            var sent = await Task.WhenAll(adapted.Select(header =>
                RunPinnedAsync(collector, PinnedRequest(template, header, ShardPhase.RelationBackward), header.WorkerId, shardTimeout, cancellationToken)));
            if (collector.Gradient is not { IsComplete: true, IsCorrupted: false } gradient)
                throw new RelationPhaseFailedException("a phase-2 gradient stream broke after part of it was summed");
            bytes += sent.Sum();
            phaseEnded?.Invoke(ClusterMetrics.Phases.RelationBackward);
            return new RelationStepResult(gradient.Sum, adapted, workers.Count, retries, bytes);
        }
        finally
        {
            inbox.Close(runId, collector);
        }
    }

    private static ShardRequest PinnedRequest(ShardRequest template, ShardResultHeader adapted, ShardPhase phase)
    {
        var request = template.Clone();
        request.Key.Shard = adapted.Key.Shard;
        request.Key.Attempt = adapted.Key.Attempt;
        request.Key.Phase = phase;
        request.TaskIndices.Clear();
        request.TaskIndices.AddRange(adapted.TaskIndices);
        return request;
    }

    // A later phase must run where the shard's graph is kept; if that fails, the graph is gone.
    private async Task<long> RunPinnedAsync(StepCollector collector, ShardRequest request, string workerId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var key = request.Key;
        collector.Assign(key.Shard, key.Attempt);
        ShardReceipt receipt;
        try
        {
            receipt = await grains.GetGrain<ITaskWorkerGrain>(workerId)
                .RunShardAsync(EncodedShardRequest.From(request))
                .WaitAsync(timeout, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new RelationPhaseFailedException($"{key.Phase} of shard {key.Shard} on {workerId} failed ({e.GetType().Name}: {e.Message})", e);
        }
        if (!collector.IsAccepted(key.Shard))
            throw new RelationPhaseFailedException($"{key.Phase} of shard {key.Shard} on {workerId} was not accepted ({receipt.Outcome})");
        return receipt.ResultBytes;
    }

    // Gives membership a moment to notice a dead silo before a retry, then the live workers again.
    private async Task<IReadOnlyList<WorkerRegistration>> BeforeRetryAsync(int retry, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 100 * (1 << Math.Min(retry, 5)))), cancellationToken);
        return await LiveWorkersAsync(cancellationToken);
    }

    // The workers that have not failed this unit yet (all of them, if every one has).
    private static WorkerRegistration[] Candidates(IReadOnlyList<WorkerRegistration> workers, HashSet<string> failed)
    {
        var candidates = workers.Where(w => !failed.Contains(w.WorkerId)).ToArray();
        return candidates.Length > 0 ? candidates : [.. workers];
    }

    // Orders workers so that consecutive picks fall on different processes (silos): shards and
    // groups spread over machines before two land in one process.
    private static IReadOnlyList<WorkerRegistration> SpreadOverProcesses(IReadOnlyList<WorkerRegistration> workers) =>
        workers.GroupBy(w => w.Silo, StringComparer.Ordinal)
            .SelectMany((process, p) => process.Select((worker, i) => (worker, i, p)))
            .OrderBy(x => x.i).ThenBy(x => x.p).Select(x => x.worker).ToArray();

    // Runs one unit of the collector (a shard, or a pre-reduction group of shards) until accepted.
    private async Task<(int Retries, long Bytes)> RunUnitAsync(
        StepCollector collector, ShardRequest template, int unit, IReadOnlyList<long[]> shards, IReadOnlyList<WorkerRegistration> workers,
        int firstAttempt, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var members = collector.ShardsOf(unit);
        int shard = members.Start.Value, end = members.End.Value;
        bool grouped = collector.GroupSize > 1;
        var failed = new HashSet<string>(StringComparer.Ordinal);
        for (int attempt = firstAttempt; ; attempt++)
        {
            int retry = attempt - firstAttempt;
            if (retry > 0) workers = await BeforeRetryAsync(retry, cancellationToken);
            var candidates = Candidates(workers, failed);
            var worker = candidates[(unit + retry) % candidates.Length];
            var requests = Requests(collector, template, shards, shard, end, attempt);
            using var span = ShardAssignment.Start(template.Key, shard, attempt, worker.WorkerId, worker.Device, requests.Sum(r => r.TaskIndices.Count));
            foreach (var request in requests) request.TraceParent = ClusterTelemetry.CurrentTraceParent();
            try
            {
                var grain = grains.GetGrain<ITaskWorkerGrain>(worker.WorkerId);
                var receipt = await (grouped
                        ? grain.RunShardGroupAsync(requests.Select(EncodedShardRequest.From).ToArray())
                        : grain.RunShardAsync(EncodedShardRequest.From(requests[0])))
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

    // The requests of shards [start, end) at an attempt, each made the collector's only acceptable one.
    private static ShardRequest[] Requests(StepCollector collector, ShardRequest template, IReadOnlyList<long[]> shards, int start, int end, int attempt)
    {
        var requests = new ShardRequest[end - start];
        for (int s = start; s < end; s++)
        {
            var request = requests[s - start] = template.Clone();
            request.Key.Shard = s;
            request.Key.Attempt = attempt;
            request.TaskIndices.Clear();
            request.TaskIndices.AddRange(shards[s]);
            collector.Assign(s, attempt);
        }
        return requests;
    }

    // Runs one super-group of the collector through a relay until accepted: its groups on (up to)
    // f different processes, all sending to the relay of the first group's process, which forwards
    // one result. Any failure (the relay's or a group's) runs the whole super-group again as a new
    // attempt, spread from another worker; the abandoned attempt's results are stale.
    private async Task<(int Retries, long Bytes)> RunRelayedUnitAsync(
        StepCollector collector, ShardRequest template, int unit, IReadOnlyList<long[]> shards, IReadOnlyList<WorkerRegistration> workers,
        int groupSize, int fanIn, int elements, int firstAttempt, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var members = collector.ShardsOf(unit);
        int first = members.Start.Value, end = members.End.Value;
        var groups = Enumerable.Range(0, (end - first + groupSize - 1) / groupSize)
            .Select(g => (Start: first + g * groupSize, End: Math.Min(end, first + (g + 1) * groupSize))).ToArray();
        var failed = new HashSet<string>(StringComparer.Ordinal);
        for (int attempt = firstAttempt; ; attempt++)
        {
            int retry = attempt - firstAttempt;
            if (retry > 0) workers = await BeforeRetryAsync(retry, cancellationToken);
            var candidates = Candidates(workers, failed);
            var assigned = groups.Select((_, g) => candidates[(unit * fanIn + g + retry) % candidates.Length]).ToArray();
            var requests = groups.Select(g => Requests(collector, template, shards, g.Start, g.End, attempt)).ToArray();
            var key = template.Key.Clone();
            key.Shard = first;
            key.Attempt = attempt;
            var plan = new RelayPlan
            {
                Key = key, EndShard = end, GroupSize = groupSize, Elements = elements, GradDtype = template.Spec.GradDtype,
                UpstreamUrl = template.DataPlaneUrl, TimeoutSeconds = timeout.TotalSeconds,
                // This relay's result is the whole step's gradient: it can keep a replica of the optimiser.
                ReplicateUpdate = collector.Units == 1,
            };
            using var span = ShardAssignment.Start(template.Key, first, attempt, assigned[0].WorkerId, assigned[0].Device, requests.Sum(r => r.Sum(q => q.TaskIndices.Count)));
            Task<ShardReceipt>[] calls = [];
            try
            {
                string relayUrl = await grains.GetGrain<ITaskWorkerGrain>(assigned[0].WorkerId).OpenRelayAsync(plan.ToByteArray()).WaitAsync(timeout, cancellationToken);
                calls = requests.Select((group, g) =>
                {
                    foreach (var request in group)
                    {
                        request.DataPlaneUrl = relayUrl;
                        request.UpstreamUrl = template.DataPlaneUrl;
                        request.TraceParent = ClusterTelemetry.CurrentTraceParent();
                    }
                    return grains.GetGrain<ITaskWorkerGrain>(assigned[g].WorkerId).RunShardGroupAsync(group.Select(EncodedShardRequest.From).ToArray());
                }).ToArray();
                var receipts = await AllUnlessOneFails(calls).WaitAsync(timeout, cancellationToken);
                // The relay answered each group when it held it; the super-group is in once the relay's
                // forwarded result is accepted here. The relay's verdict call fails at once if the
                // forward did (or its process died), so the super-group need not wait out the timeout.
                if (receipts.All(r => r.Outcome == ShardResultAck.Types.Outcome.Accepted))
                {
                    var verdict = grains.GetGrain<ITaskWorkerGrain>(assigned[0].WorkerId).AwaitRelayAsync(key.ToByteArray());
                    await Task.WhenAny(collector.WhenAccepted(first), verdict).WaitAsync(timeout, cancellationToken);
                    if (!collector.IsAccepted(first)) await verdict; // rethrows the relay's failure
                }
                if (collector.IsAccepted(first))
                    return (retry, receipts.Sum(r => r.ResultBytes));
                LogShardNotAccepted(template.Key.RunId, template.Key.Step, first, attempt, assigned[0].WorkerId, string.Join(",", receipts.Select(r => r.Outcome).Distinct()));
                if (retry + 1 >= MaxAttempts)
                    throw new ShardFailedException($"super-group at shard {first} of step {template.Key.Step} was not accepted after {MaxAttempts} attempts");
            }
            catch (ShardFailedException)
            {
                throw;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                if (collector.IsAccepted(first)) return (retry, 0);
                span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.Message);
                // Blame the groups whose calls failed; if none did, the relay (or its process) did.
                var blamed = calls.Select((c, g) => (c, g)).Where(x => x.c.IsFaulted).Select(x => assigned[x.g].WorkerId).ToList();
                if (blamed.Count == 0) blamed.Add(assigned[0].WorkerId);
                failed.UnionWith(blamed);
                LogShardFailed(template.Key.RunId, template.Key.Step, first, attempt, string.Join(",", blamed), e.GetType().Name, e.Message);
                if (retry + 1 >= MaxAttempts)
                    throw new ShardFailedException($"super-group at shard {first} of step {template.Key.Step} failed {MaxAttempts} times; last error: {e.Message}", e);
            }
        }
    }

    // Every call's receipt, or the first failure as soon as one fails (the others are left to end
    // on their own: their relay session is abandoned or runs out of time).
    private static async Task<ShardReceipt[]> AllUnlessOneFails(Task<ShardReceipt>[] calls)
    {
        var pending = calls.ToList();
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending);
            await done; // throws if it failed
            pending.Remove(done);
        }
        return calls.Select(c => c.Result).ToArray();
    }

    // The registered workers, spread over processes (see SpreadOverProcesses).
    private async Task<IReadOnlyList<WorkerRegistration>> LiveWorkersAsync(CancellationToken cancellationToken)
    {
        var registry = grains.GetGrain<IWorkerRegistryGrain>(0);
        var deadline = DateTime.UtcNow + WorkerWait;
        while (true)
        {
            var workers = await TransientGrainCalls.RetryAsync(registry.GetWorkersAsync, WorkerWait, cancellationToken);
            if (workers.Count > 0) return SpreadOverProcesses(workers);
            if (DateTime.UtcNow > deadline) throw new ShardFailedException($"no worker joined within {WorkerWait.TotalSeconds:0} s");
            await Task.Delay(200, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} step {Step}: TRLearner's two-phase step runs again from phase 1 ({Reason})")]
    private partial void LogRelationStepRestarted(string runId, long step, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} step {Step}: a gradient stream broke after part of it was summed; running the step again")]
    private partial void LogStepRestarted(string runId, long step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} step {Step} shard {Shard} attempt {Attempt} on {Worker} failed ({Error}: {Message}); reassigning")]
    private partial void LogShardFailed(string runId, long step, int shard, int attempt, string worker, string error, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} step {Step} shard {Shard} attempt {Attempt} on {Worker} was not accepted ({Outcome}); reassigning")]
    private partial void LogShardNotAccepted(string runId, long step, int shard, int attempt, string worker, string outcome);
}

/// <summary>A shard could not be completed on any worker.</summary>
public sealed class ShardFailedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A later phase of TRLearner's step failed; its graphs are lost, so the step restarts from phase 1.</summary>
public sealed class RelationPhaseFailedException(string message, Exception? inner = null) : Exception(message, inner);
