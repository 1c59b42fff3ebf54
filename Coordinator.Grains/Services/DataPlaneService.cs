using Grpc.Core;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.DataPlane.Wire;
using MetaCluster.DataPlane.Reduction;
using MetaCluster.DataPlane.Replication;
using DataPlaneContract = MetaCluster.Protos.DataPlane.V1.DataPlane;

namespace MetaCluster.Coordinator.Services;

/// <summary>
/// The coordinator's side of the data plane: serves published parameters (and, to relays, how
/// they follow from each other), TRLearner's upstream gradients, and receives results into the
/// collector of their run's current round (<see cref="ResultReceiver"/>, shared with the relays).
/// A run's parameters, their updates and its optimiser state go only to a reader holding the secret
/// of a live assignment of that run (<see cref="AssignmentSecrets"/>); the check comes first, so a
/// reader without one learns nothing, not even whether the run or version exists.
/// </summary>
public sealed class DataPlaneService(ParameterStore parameters, AssignmentSecrets readers, ShardResultInbox inbox, UpstreamGradientStore upstream, DataPlaneMetrics metrics)
    : DataPlaneContract.DataPlaneBase
{
    /// <inheritdoc/>
    public override async Task GetUpstreamGradients(ShardKey request, IServerStreamWriter<TensorChunk> responseStream, ServerCallContext context)
    {
        var values = upstream.Get(request)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"run '{request.RunId}' has no upstream gradients for step {request.Step} shard {request.Shard} attempt {request.Attempt}"));
        var bytes = new byte[values.LongLength * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        foreach (var chunk in TensorWire.Chunk("upstream", [values.LongLength], bytes))
        {
            await responseStream.WriteAsync(chunk, context.CancellationToken);
            metrics.AddSent(chunk.Data.Length);
        }
    }

    /// <inheritdoc/>
    public override async Task GetParameters(GetParametersRequest request, IServerStreamWriter<TensorChunk> responseStream, ServerCallContext context)
    {
        RequireLiveAssignment(request);
        using var lease = parameters.Acquire(request.RunId, request.Version)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"run '{request.RunId}' has no parameters of version {request.Version}"));
        var published = lease.Parameters;
        foreach (var chunk in TensorWire.Chunk("parameters", published.Shape, published.Bytes))
        {
            await responseStream.WriteAsync(chunk, context.CancellationToken);
            metrics.AddSent(chunk.Data.Length);
        }
    }

    /// <inheritdoc/>
    public override Task<ParameterUpdate> GetParameterUpdate(GetParametersRequest request, ServerCallContext context)
    {
        RequireLiveAssignment(request);
        var published = parameters.Get(request.RunId, request.Version)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"run '{request.RunId}' has no parameters of version {request.Version}"));
        var update = new ParameterUpdate
        {
            Version = published.Version,
            OptimizerStep = published.OptimizerStep,
            Replicable = parameters.SharesOptimizerState(request.RunId),
            Replay = published.Recipe is { } recipe ? AdamReplayWire.ToProto(recipe, request.RunId) : null,
        };
        metrics.AddSent(update.CalculateSize());
        return Task.FromResult(update);
    }

    /// <inheritdoc/>
    public override async Task GetOptimizerState(GetParametersRequest request, IServerStreamWriter<TensorChunk> responseStream, ServerCallContext context)
    {
        RequireLiveAssignment(request);
        var state = parameters.OptimizerState(request.RunId, request.Version)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"run '{request.RunId}' shares no optimiser state at version {request.Version} (not the current version, or a run that keeps it to itself)"));
        if (state.FirstMoment is null || state.SecondMoment is null) return; // before the first update: zero
        foreach (var (name, moment) in new[] { ("adam.m", state.FirstMoment), ("adam.v", state.SecondMoment) })
            foreach (var chunk in TensorWire.Chunk(name, [moment.LongLength / sizeof(float)], moment))
            {
                await responseStream.WriteAsync(chunk, context.CancellationToken);
                metrics.AddSent(chunk.Data.Length);
            }
    }

    /// <inheritdoc/>
    public override Task<ShardResultAck> SubmitShardResult(IAsyncStreamReader<ShardResultPart> requestStream, ServerCallContext context) =>
        ResultReceiver.ReceiveAsync(requestStream, inbox.Find, metrics.AddReceived, context.CancellationToken);

    private void RequireLiveAssignment(GetParametersRequest request)
    {
        if (!readers.IsLive(request.RunId, request.AssignmentSecret.Span))
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"no live assignment of run '{Shown(request.RunId)}' holds this secret"));
    }

    // A run id as the caller sent it, cut short: an error message need not echo a megabyte.
    private static string Shown(string runId) => runId.Length <= 64 ? runId : runId[..64] + "…";
}
