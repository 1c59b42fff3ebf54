using System.Diagnostics;
using MetaCluster.Abstractions;
using MetaCluster.DataPlane.Wire;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.TaskWorker.DataPlane;
using MetaCluster.TaskWorker.Hosting;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace MetaCluster.TaskWorker.Execution;

/// <summary>
/// A worker's three calls in TRLearner's exact two-phase step, around the graphs it keeps
/// between them (<see cref="RelationShardStore"/>, keyed by the shard's accepted adapt attempt).
/// </summary>
public sealed class RelationWork(ParameterCache parameters, ResultDelivery delivery, ShardResultSender sender, RelationShardStore graphs, IOptions<WorkerOptions> options)
{
    private readonly WorkerDeviceCache devices = new(options.Value);

    /// <summary>Phase 1: adapts, keeps the graph, returns z_i and the chosen meta-data references.</summary>
    public async Task<ShardReceipt> AdaptAsync(string workerId, ShardRequest request, ResolvedRunSpec spec, CancellationToken cancellationToken)
    {
        var device = devices.Of(workerId);
        var theta = await parameters.GetAsync(request, device, cancellationToken);
        var clock = Stopwatch.StartNew();
        var shard = RelationComputation.Adapt(request, spec, theta, device);
        var adapt = new RelationAdaptResult();
        adapt.TaskLosses.AddRange(shard.TaskLosses);
        adapt.TaskMetrics.AddRange(shard.TaskMetrics);
        using (var z = shard.Embeddings())
        using (var wire = z.to(ScalarType.Float32).cpu().contiguous())
            adapt.TaskEmbeddings = TensorWire.ToProto(wire.data<float>().ToArray(), wire.shape);
        adapt.MetaData.AddRange(shard.MetaData.Select(r => new MetaDataRef { TaskIndex = r.TaskIndex, QuerySample = r.QuerySample }));
        graphs.Keep(request.Key, shard);
        var header = Header(request, workerId, clock);
        header.RelationAdapt = adapt;
        var receipt = await delivery.DeliverAsync(request, header, null, cancellationToken);
        // A graph whose adapt result was not accepted will never be asked for: free it now.
        if (receipt.Outcome != ShardResultAck.Types.Outcome.Accepted) graphs.Use(request.Key, release: true, _ => 0);
        return receipt;
    }

    /// <summary>Phase 1, second half: g_i(X) on the pooled meta-data, from the kept graph.</summary>
    public async Task<ShardReceipt> OutputsAsync(string workerId, ShardRequest request, ResolvedRunSpec spec, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var outputs = graphs.Use(request.Key, release: false, shard => RelationComputation.Outputs(request, spec, shard, ScalarType.Float32));
        var header = Header(request, workerId, clock);
        header.RelationOutputs = new RelationOutputsResult();
        return await delivery.DeliverAsync(request, header, null, cancellationToken, outputs);
    }

    /// <summary>Phase 2: fetches the shard's upstream gradients and backpropagates through the kept graph.</summary>
    public async Task<ShardReceipt> BackwardAsync(string workerId, ShardRequest request, CancellationToken cancellationToken)
    {
        var upstream = await sender.FetchUpstreamAsync(request.DataPlaneUrl, request.Key, cancellationToken);
        var clock = Stopwatch.StartNew();
        var gradient = graphs.Use(request.Key, release: true, shard => RelationComputation.Backward(request, shard, upstream));
        var header = Header(request, workerId, clock);
        header.RelationBackward = new RelationBackwardResult();
        return await delivery.DeliverAsync(request, header, gradient, cancellationToken);
    }

    private static ShardResultHeader Header(ShardRequest request, string workerId, Stopwatch clock)
    {
        var header = new ShardResultHeader { Key = request.Key, WorkerId = workerId, ComputeSeconds = clock.Elapsed.TotalSeconds, AssignmentSecret = request.AssignmentSecret };
        header.TaskIndices.AddRange(request.TaskIndices);
        return header;
    }
}
