using Google.Protobuf;
using Grpc.Core;
using MetaCluster.DataPlane.Reduction;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.ServiceDefaults.Telemetry;
using TorchSharp;
using static TorchSharp.torch;
using MetaCluster.DataPlane;

namespace MetaCluster.TaskWorker.DataPlane;

/// <summary>
/// The meta-parameters of each run at their latest version, fetched once per version and shared
/// by every worker of the process; concurrent requests for the same version share one fetch.
/// </summary>
public sealed class ParameterCache(DataPlaneChannels channels)
{
    private readonly LatestVersionCache<Tensor> latest = new();

    /// <summary>The parameters <paramref name="request"/> runs on, on <paramref name="device"/>, read with its assignment's secret.</summary>
    public Task<Tensor> GetAsync(ShardRequest request, Device device, CancellationToken cancellationToken) =>
        GetAsync(request.DataPlaneUrl, request.Key.RunId, request.ParameterVersion, request.AssignmentSecret, device, cancellationToken,
            request.UpstreamUrl.Length > 0 ? request.UpstreamUrl : null);

    /// <summary>
    /// Parameters of <paramref name="version"/> of a run, on <paramref name="device"/>, from the data
    /// plane at <paramref name="url"/> (a relay when <paramref name="upstreamUrl"/>, the coordinator's,
    /// is given), read with <paramref name="assignmentSecret"/>, the secret of a live assignment of the run.
    /// </summary>
    public Task<Tensor> GetAsync(string url, string runId, long version, ByteString assignmentSecret, Device device, CancellationToken cancellationToken,
        string? upstreamUrl = null) =>
        // A version no longer held is not disposed here: a shard of it may still be running; once
        // unreachable, its native memory goes with the tensor's finalizer. Each device of the
        // process (one per GPU in the embedded cluster) holds its own copy. Concurrent callers share
        // the first one's fetch, and its secret: each holds a live one of the same run.
        latest.GetAsync(device.type == DeviceType.CPU ? runId : $"{runId}@{device}", version,
            () => FetchAsync(url, upstreamUrl, runId, version, assignmentSecret, device, cancellationToken));

    private async Task<Tensor> FetchAsync(string url, string? upstreamUrl, string runId, long version, ByteString assignmentSecret, Device device, CancellationToken cancellationToken)
    {
        var request = new GetParametersRequest { RunId = runId, Version = version, UpstreamUrl = upstreamUrl ?? "", AssignmentSecret = assignmentSecret };
        var call = channels.Client(url).GetParameters(request, cancellationToken: cancellationToken);
        // Each chunk is copied once, straight into the tensor's memory.
        Tensor? values = null;
        long received = 0;
        try
        {
            await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                if (chunk.ByteOffset == 0 && values is null)
                {
                    if (chunk.Dtype != DType.Float32) throw new InvalidDataException($"parameters of run {runId}: expected FLOAT32, got {chunk.Dtype}");
                    long[] shape = [.. chunk.Shape];
                    long elements = shape.Aggregate(1L, (a, b) => checked(a * b));
                    if (shape.Any(d => d < 0) || elements * sizeof(float) != chunk.TotalBytes)
                        throw new InvalidDataException($"parameters of run {runId}: shape [{string.Join(", ", shape)}] does not fit {chunk.TotalBytes} bytes");
                    values = empty(shape, ScalarType.Float32);
                }
                if (values is null || chunk.ByteOffset != received || chunk.ByteOffset + chunk.Data.Length > values.numel() * sizeof(float))
                    throw new InvalidDataException($"parameters of run {runId}: chunk at byte {chunk.ByteOffset} is out of order or outside the tensor");
                chunk.Data.Span.CopyTo(values.bytes[(int)chunk.ByteOffset..]);
                received += chunk.Data.Length;
            }
            if (values is null || received != values.numel() * sizeof(float))
                throw new InvalidDataException($"parameters of run {runId} version {version}: incomplete stream ({received} bytes)");
        }
        catch
        {
            values?.Dispose();
            throw;
        }
        DataPlaneMeter.RecordBytes(DataPlaneMeter.Receive, "worker", received);
        System.Diagnostics.Activity.Current?.SetTag(ClusterTelemetry.Attributes.Bytes, received);
        if (device.type == DeviceType.CPU) return values;
        using (values) return values.to(device);
    }
}
