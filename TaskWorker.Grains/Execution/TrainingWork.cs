using System.Diagnostics;
using MetaCluster.Abstractions;
using MetaCluster.DataPlane.Reduction;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.ServiceDefaults.Telemetry;
using MetaCluster.TaskWorker.DataPlane;
using MetaCluster.TaskWorker.Hosting;
using MetaCluster.TaskWorker.Observability;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace MetaCluster.TaskWorker.Execution;

/// <summary>
/// The one-round kinds of work: a training shard, a pre-reduction group of them, evaluation and
/// prediction. Each fetches the parameters once per version (<see cref="ParameterCache"/>), computes
/// off the caller's thread where it is heavy, and delivers one result.
/// </summary>
public sealed class TrainingWork(ParameterCache parameters, ResultDelivery delivery, IOptions<WorkerOptions> options)
{
    private readonly WorkerDeviceCache devices = new(options.Value);
    // A pre-reduced group runs its members side by side, as many at once as this process has workers.
    private readonly SemaphoreSlim groupSlots = new(Math.Max(1, options.Value.Workers));

    /// <summary>One training shard: its summed outer gradient, task losses and metrics.</summary>
    public async Task<ShardReceipt> TrainAsync(string workerId, ShardRequest request, ResolvedRunSpec spec, CancellationToken cancellationToken)
    {
        var device = devices.Of(workerId);
        var theta = await FetchAsync(request, device, cancellationToken);
        var (numbers, seconds) = Timed(() => ShardComputation.Train(spec, request.Spec, request.Key.Step, request.TaskIndices, theta, device), device, "train");
        var header = TrainHeader(request.Key, workerId, request.TaskIndices, numbers, seconds);
        header.AssignmentSecret = request.AssignmentSecret;
        return await delivery.DeliverAsync(request, header, numbers.Gradient, cancellationToken);
    }

    /// <summary>
    /// A pre-reduction group: consecutive training shards of one step and attempt, side by side in
    /// this process, then one result: the members' headers and their gradients summed in shard
    /// order, so the coordinator (or a relay) receives one gradient for the group.
    /// </summary>
    public async Task<ShardReceipt> TrainGroupAsync(string workerId, ShardRequest request, ResolvedRunSpec spec, CancellationToken cancellationToken)
    {
        var members = request.TrainGroup.Members;
        if (members.Count == 0) throw new ArgumentException("request.train_group.members is empty");
        for (int i = 0; i < members.Count; i++)
            if (members[i].Shard != request.Key.Shard + i || members[i].TaskIndices.Count == 0)
                throw new ArgumentException($"request.train_group.members[{i}] is not shard {request.Key.Shard + i} with its tasks");
        var device = devices.Of(workerId);
        var theta = await FetchAsync(request, device, cancellationToken);
        var computed = await Task.WhenAll(members.Select(async member =>
        {
            await groupSlots.WaitAsync(cancellationToken);
            try
            {
                return await Task.Run(() =>
                {
                    var key = request.Key.Clone();
                    key.Shard = member.Shard;
                    using var span = ShardTracing.StartMember(workerId, device.ToString(), request, key, member.TaskIndices.Count);
                    var (numbers, seconds) = Timed(() => ShardComputation.Train(spec, request.Spec, key.Step, member.TaskIndices, theta, device), device, "train");
                    return (Numbers: numbers, Header: TrainHeader(key, workerId, member.TaskIndices, numbers, seconds));
                }, cancellationToken);
            }
            finally
            {
                groupSlots.Release();
            }
        }));

        var header = new ShardResultHeader
        {
            Key = request.Key, WorkerId = workerId, ComputeSeconds = computed.Sum(c => c.Header.ComputeSeconds), TrainGroup = new(), AssignmentSecret = request.AssignmentSecret,
        };
        header.TrainGroup.Members.AddRange(computed.Select(c => c.Header));
        var sum = OrderedGradientSum.Of(computed.Select(c => c.Numbers.Gradient).ToArray());
        return await delivery.DeliverAsync(request, header, sum, cancellationToken);
    }

    /// <summary>Evaluation or validation: each task's metric after each of the inner-step counts asked for.</summary>
    public async Task<ShardReceipt> EvaluateAsync(string workerId, ShardRequest request, ResolvedRunSpec spec, CancellationToken cancellationToken)
    {
        var device = devices.Of(workerId);
        var theta = await FetchAsync(request, device, cancellationToken);
        double[] metrics;
        double seconds;
        using (ShardTracing.Start("evaluate", request))
            (metrics, seconds) = Timed(() => ShardComputation.Evaluate(spec, request.Spec, request.Evaluate, request.TaskIndices, theta, device), device, "evaluate");
        var header = Header(request, workerId, seconds);
        header.Evaluate = new EvaluateResult();
        header.Evaluate.Metrics.AddRange(metrics);
        return await delivery.DeliverAsync(request, header, null, cancellationToken);
    }

    /// <summary>Prediction: adapts to the request's support set and predicts its queries (or says why it could not).</summary>
    public async Task<ShardReceipt> PredictAsync(string workerId, ShardRequest request, ResolvedRunSpec spec, CancellationToken cancellationToken)
    {
        var device = devices.Of(workerId);
        var theta = await FetchAsync(request, device, cancellationToken);
        var (result, seconds) = Timed(() => PredictionComputation.Predict(spec, request.Predict, theta, device), device, "predict");
        var header = Header(request, workerId, seconds);
        header.Predict = result;
        return await delivery.DeliverAsync(request, header, null, cancellationToken);
    }

    private async Task<Tensor> FetchAsync(ShardRequest request, Device device, CancellationToken cancellationToken)
    {
        using (ShardTracing.Start("parameters.fetch", request))
            return await parameters.GetAsync(request, device, cancellationToken);
    }

    private static (T Value, double Seconds) Timed<T>(Func<T> compute, Device device, string kind)
    {
        var clock = Stopwatch.StartNew();
        var value = compute();
        double seconds = clock.Elapsed.TotalSeconds;
        WorkerMetrics.RecordShardCompute(device.ToString(), kind, seconds);
        return (value, seconds);
    }

    private static ShardResultHeader Header(ShardRequest request, string workerId, double seconds)
    {
        var header = new ShardResultHeader { Key = request.Key, WorkerId = workerId, ComputeSeconds = seconds, AssignmentSecret = request.AssignmentSecret };
        header.TaskIndices.AddRange(request.TaskIndices);
        return header;
    }

    private static ShardResultHeader TrainHeader(ShardKey key, string workerId, IEnumerable<long> tasks, TrainNumbers numbers, double seconds)
    {
        var header = new ShardResultHeader { Key = key, WorkerId = workerId, ComputeSeconds = seconds, Train = new TrainResult() };
        header.TaskIndices.AddRange(tasks);
        header.Train.TaskLosses.AddRange(numbers.TaskLosses);
        header.Train.TaskMetrics.AddRange(numbers.TaskMetrics);
        return header;
    }
}
