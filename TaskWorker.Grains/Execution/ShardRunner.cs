using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.DataPlane.Wire;
using MetaCluster.Abstractions;
using MetaCluster.TaskWorker.DataPlane;
using MetaCluster.TaskWorker.Hosting;
using MetaCluster.ServiceDefaults.Telemetry;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;
using MetaCluster.TaskWorker.Observability;
using MetaCluster.DataPlane.Reduction;

namespace MetaCluster.TaskWorker.Execution;

/// <summary>
/// Runs one shard end to end on a worker: parameters from the cache (fetched once per version),
/// the computation, and the result stream to the coordinator.
/// </summary>
public sealed class ShardRunner(ParameterCache parameters, ShardResultSender sender, RelationShardStore relations, WorkerFaults faults, IOptions<WorkerOptions> options)
{
    private readonly ConcurrentDictionary<RunSpec, ResolvedRunSpec> resolved = new();
    private readonly torch.Device device = torch.device(options.Value.Device);
    // A pre-reduced group runs its members side by side, as many at once as this process has workers.
    private readonly SemaphoreSlim groupSlots = new(Math.Max(1, options.Value.Workers));
    private int inFlight;

    /// <summary>Shards being run right now.</summary>
    public int InFlight => Volatile.Read(ref inFlight);

    /// <summary>Runs the shard and delivers its result.</summary>
    public Task<ShardReceipt> RunAsync(string workerId, ShardRequest request, CancellationToken cancellationToken) =>
        InFlightAsync(() => RunCoreAsync(workerId, request, cancellationToken));

    /// <summary>
    /// Runs a pre-reduction group: consecutive shards of one training step (same run, step, attempt
    /// and parameters), side by side in this process, then delivers one result: the members' headers
    /// and the sum of their gradients in shard order (<see cref="GroupGradient"/>), so the
    /// coordinator receives one gradient for the group instead of one per shard.
    /// </summary>
    public Task<ShardReceipt> RunGroupAsync(string workerId, IReadOnlyList<ShardRequest> members, CancellationToken cancellationToken) =>
        InFlightAsync(() => RunGroupCoreAsync(workerId, members, cancellationToken));

    private async Task<ShardReceipt> InFlightAsync(Func<Task<ShardReceipt>> run)
    {
        Interlocked.Increment(ref inFlight);
        try
        {
            return await run();
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
        }
    }

    private async Task<ShardReceipt> RunCoreAsync(string workerId, ShardRequest request, CancellationToken cancellationToken)
    {
        if (faults.BeforeShard?.Invoke(workerId, request) is { } fault)
        {
            if (request.Key.Phase is ShardPhase.RelationOutputs or ShardPhase.RelationBackward) relations.Forget(request.Key.RunId);
            throw fault;
        }
        using var span = ShardTracing.StartShard(workerId, options.Value.Device, request);
        var spec = resolved.GetOrAdd(request.Spec, ResolvedRunSpec.From);
        if (request.Key.Phase != ShardPhase.Single) return await RunRelationPhaseAsync(workerId, request, spec, cancellationToken);
        Tensor theta;
        using (ShardTracing.Start("parameters.fetch", request))
            theta = await parameters.GetAsync(request.DataPlaneUrl, request.Key.RunId, request.ParameterVersion, device, cancellationToken);

        var (numbers, header) = Compute(workerId, request, spec, theta);
        return await DeliverAsync(workerId, request, header, numbers.Gradient, cancellationToken);
    }

    private async Task<ShardReceipt> RunGroupCoreAsync(string workerId, IReadOnlyList<ShardRequest> members, CancellationToken cancellationToken)
    {
        var first = members.Count > 0 ? members[0] : throw new ArgumentException("a group needs at least one shard");
        for (int i = 0; i < members.Count; i++)
        {
            var key = members[i].Key;
            if (members[i].Mode != ShardMode.Train || key.Phase != ShardPhase.Single || key.RunId != first.Key.RunId || key.Step != first.Key.Step
                || key.Attempt != first.Key.Attempt || key.Shard != first.Key.Shard + i || members[i].ParameterVersion != first.ParameterVersion)
                throw new ArgumentException($"group member {i} (shard {key.Shard}) is not the next training shard of the group's step and attempt");
            if (faults.BeforeShard?.Invoke(workerId, members[i]) is { } fault) throw fault;
        }
        var spec = resolved.GetOrAdd(first.Spec, ResolvedRunSpec.From);
        Tensor theta;
        using (ShardTracing.Start("parameters.fetch", first))
            theta = await parameters.GetAsync(first.DataPlaneUrl, first.Key.RunId, first.ParameterVersion, device, cancellationToken,
                first.UpstreamUrl.Length > 0 ? first.UpstreamUrl : null);

        var computed = await Task.WhenAll(members.Select(async request =>
        {
            await groupSlots.WaitAsync(cancellationToken);
            try
            {
                return await Task.Run(() =>
                {
                    using var span = ShardTracing.StartShard(workerId, options.Value.Device, request);
                    return Compute(workerId, request, spec, theta);
                }, cancellationToken);
            }
            finally
            {
                groupSlots.Release();
            }
        }));

        var header = new ShardResultHeader { Key = first.Key, WorkerId = workerId, HasGradient = true, ComputeSeconds = computed.Sum(c => c.Header.ComputeSeconds) };
        header.Members.AddRange(computed.Select(c => c.Header));
        var sum = GroupGradient.Sum(computed.Select(c => c.Numbers.Gradient ?? throw new InvalidOperationException($"shard {c.Header.Key.Shard} computed no gradient")).ToArray());
        return await DeliverAsync(workerId, first, header, sum, cancellationToken);
    }

    // Runs one one-phase shard's computation on the calling thread and makes its result header.
    private (ShardNumbers Numbers, ShardResultHeader Header) Compute(string workerId, ShardRequest request, ResolvedRunSpec spec, Tensor theta)
    {
        var clock = Stopwatch.StartNew();
        var numbers = ShardComputation.Run(request, spec, theta, device);
        double seconds = clock.Elapsed.TotalSeconds;
        ClusterMetrics.RecordShardCompute(options.Value.Device, request.Mode.ToString(), seconds);
        return (numbers, ResultHeaders.For(request, workerId, numbers, seconds));
    }

    // Sends a result (a shard's, or a group's under its first member's request) to the request's data
    // plane, its gradient in the run's wire type, and reports the verdict.
    private async Task<ShardReceipt> DeliverAsync(string workerId, ShardRequest request, ShardResultHeader header, float[]? gradient, CancellationToken cancellationToken)
    {
        var wireType = request.Spec.GradDtype == DType.Unspecified ? DType.Float32 : request.Spec.GradDtype;
        byte[]? gradientBytes = null;
        if (gradient is not null)
        {
            gradientBytes = GradientCodec.Encode(gradient, wireType, out long saturated);
            header.GradientSaturated = saturated;
        }
        long bytes = header.CalculateSize() + (gradientBytes?.LongLength ?? 0);
        ShardResultAck ack;
        using (var send = ShardTracing.Start("result.send", request))
        {
            send?.SetTag(ClusterTelemetry.Attributes.Bytes, bytes);
            ack = await sender.SendAsync(request.DataPlaneUrl, header, gradientBytes, cancellationToken, gradientType: wireType);
            send?.SetTag("metacluster.outcome", ack.Outcome.ToString());
        }
        ClusterMetrics.RecordBytes("sent", "worker", bytes);
        return new ShardReceipt(workerId, ack.Outcome, header.ComputeSeconds, bytes);
    }

    private async Task<ShardReceipt> RunRelationPhaseAsync(string workerId, ShardRequest request, ResolvedRunSpec spec, CancellationToken cancellationToken)
    {
        var key = request.Key;
        var header = new ShardResultHeader { Key = key, WorkerId = workerId };
        header.TaskIndices.AddRange(request.TaskIndices);
        byte[]? gradientBytes = null, outputBytes = null;
        long[]? outputShape = null;
        var clock = Stopwatch.StartNew();
        switch (key.Phase)
        {
            case ShardPhase.RelationAdapt:
            {
                var theta = await parameters.GetAsync(request.DataPlaneUrl, key.RunId, request.ParameterVersion, device, cancellationToken);
                clock.Restart();
                var shard = RelationComputation.Adapt(request, spec, theta, device);
                header.TaskLosses.AddRange(shard.TaskLosses);
                header.TaskMetrics.AddRange(shard.TaskMetrics);
                using (var z = shard.Embeddings())
                using (var wire = z.to(torch.ScalarType.Float32).cpu().contiguous())
                    header.TaskEmbeddings = TensorWire.ToProto(wire.data<float>().ToArray(), wire.shape);
                header.MetaData.AddRange(shard.MetaData.Select(r => new MetaDataRef { TaskIndex = r.TaskIndex, QuerySample = r.QuerySample }));
                relations.Keep(key, shard);
                break;
            }
            case ShardPhase.RelationOutputs:
            {
                var dtype = torch.ScalarType.Float32;
                var (values, shape) = relations.Use(key, release: false, shard => RelationComputation.Outputs(request, spec, shard, dtype));
                outputBytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
                outputShape = shape;
                header.HasOutputs = true;
                break;
            }
            case ShardPhase.RelationBackward:
            {
                var upstream = await sender.FetchUpstreamAsync(request.DataPlaneUrl, key, cancellationToken);
                clock.Restart();
                var gradient = relations.Use(key, release: true, shard => RelationComputation.Backward(request, shard, upstream));
                gradientBytes = MemoryMarshal.AsBytes(gradient.AsSpan()).ToArray();
                header.HasGradient = true;
                break;
            }
            default:
                throw new ArgumentException($"request.key.phase {key.Phase} is not a TRLearner phase");
        }
        header.ComputeSeconds = clock.Elapsed.TotalSeconds;

        var ack = await sender.SendAsync(request.DataPlaneUrl, header, gradientBytes, cancellationToken, outputBytes, outputShape);
        // A graph whose adapt result was not accepted will never be asked for: free it now.
        if (key.Phase == ShardPhase.RelationAdapt && ack.Outcome != ShardResultAck.Types.Outcome.Accepted)
            relations.Use(key, release: true, _ => 0);
        long bytes = header.CalculateSize() + (gradientBytes?.LongLength ?? 0) + (outputBytes?.LongLength ?? 0);
        return new ShardReceipt(workerId, ack.Outcome, header.ComputeSeconds, bytes);
    }
}
