using Grpc.Core;
using MetaCluster.DataPlane;
using MetaCluster.DataPlane.Reduction;
using MetaCluster.DataPlane.Wire;
using MetaCluster.Protos.DataPlane.V1;
using DataPlaneContract = MetaCluster.Protos.DataPlane.V1.DataPlane;

namespace MetaCluster.TaskWorker.Relay;

/// <summary>
/// A worker process's reduction relay: the data-plane service, served to the workers of the
/// super-groups the coordinator planned here (<see cref="RelaySessions"/>). It serves parameters
/// fetched once from upstream and receives each group's pre-reduced result through the same
/// <see cref="ResultReceiver"/> as the coordinator; a session forwards one summed result once its
/// groups are in. A group's sender is answered as soon as its group is held (not after the
/// coordinator's verdict: a worker waiting on other workers' groups could wait on itself). Its
/// parameters go only to a caller holding the secret of a super-group planned here, and are fetched
/// upstream under that caller's secret.
/// </summary>
public sealed class RelayDataPlaneService(RelaySessions sessions, RelayParameters parameters) : DataPlaneContract.DataPlaneBase
{
    /// <inheritdoc/>
    public override async Task GetParameters(GetParametersRequest request, IServerStreamWriter<TensorChunk> responseStream, ServerCallContext context)
    {
        // Only to the workers of a super-group planned here, which hold its secret: whatever the relay
        // already holds stays as closed as the coordinator's parameters are.
        if (!sessions.Admits(request.RunId, request.AssignmentSecret.Span))
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"no super-group of run '{(request.RunId.Length <= 64 ? request.RunId : request.RunId[..64] + "…")}' planned at this relay holds this secret"));
        if (string.IsNullOrEmpty(request.UpstreamUrl)) throw ShardResultStreams.Invalid("upstream_url is missing: a relay serves parameters it fetches from the coordinator");
        var (shape, bytes) = await parameters.GetAsync(request.UpstreamUrl, request.RunId, request.Version, request.AssignmentSecret);
        foreach (var chunk in TensorWire.Chunk("parameters", shape, bytes))
            await responseStream.WriteAsync(chunk, context.CancellationToken);
        DataPlaneMeter.RecordBytes(DataPlaneMeter.Transmit, "relay", bytes.LongLength);
    }

    /// <inheritdoc/>
    public override Task<ShardResultAck> SubmitShardResult(IAsyncStreamReader<ShardResultPart> requestStream, ServerCallContext context) =>
        ResultReceiver.ReceiveAsync(requestStream, key => sessions.Find(key)?.Collector, bytes => DataPlaneMeter.RecordBytes(DataPlaneMeter.Receive, "relay", bytes), context.CancellationToken);

    /// <inheritdoc/>
    public override Task GetUpstreamGradients(ShardKey request, IServerStreamWriter<TensorChunk> responseStream, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, "a relay carries one-phase training results only; TRLearner's phases go to the coordinator"));
}
