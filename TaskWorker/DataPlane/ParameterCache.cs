using System.Runtime.InteropServices;
using Grpc.Core;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.TaskWorker.Observability;
using TorchSharp;
using static TorchSharp.torch;

namespace MetaCluster.TaskWorker.DataPlane;

/// <summary>
/// The meta-parameters of each run at their latest version, fetched once per version and shared
/// by every worker of the process; concurrent requests for the same version share one fetch.
/// </summary>
public sealed class ParameterCache(DataPlaneChannels channels)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, (long Version, Task<Tensor> Fetch)> latest = [];

    /// <summary>Parameters of <paramref name="version"/> of a run, on <paramref name="device"/>.</summary>
    public Task<Tensor> GetAsync(string url, string runId, long version, Device device, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (latest.TryGetValue(runId, out var entry) && entry.Version == version && !entry.Fetch.IsFaulted)
                return entry.Fetch;
            var fetch = FetchAsync(url, runId, version, device, cancellationToken);
            if (!latest.TryGetValue(runId, out entry) || entry.Version <= version)
            {
                // The previous version is not disposed here: a shard of it may still be running.
                // Once unreachable, its native memory goes with the tensor's finalizer.
                latest[runId] = (version, fetch);
            }
            return fetch;
        }
    }

    private async Task<Tensor> FetchAsync(string url, string runId, long version, Device device, CancellationToken cancellationToken)
    {
        var call = channels.Client(url).GetParameters(new GetParametersRequest { RunId = runId, Version = version }, cancellationToken: cancellationToken);
        byte[]? buffer = null;
        long[] shape = [];
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            if (chunk.ByteOffset == 0)
            {
                if (chunk.Dtype != DType.Float32) throw new InvalidDataException($"parameters of run {runId}: expected FLOAT32, got {chunk.Dtype}");
                buffer = new byte[chunk.TotalBytes];
                shape = [.. chunk.Shape];
            }
            if (buffer is null || chunk.ByteOffset + chunk.Data.Length > buffer.Length)
                throw new InvalidDataException($"parameters of run {runId}: chunk at byte {chunk.ByteOffset} lies outside the tensor");
            chunk.Data.Span.CopyTo(buffer.AsSpan((int)chunk.ByteOffset));
        }
        if (buffer is null) throw new InvalidDataException($"parameters of run {runId} version {version}: empty stream");
        ClusterMetrics.RecordBytes("received", "worker", buffer.LongLength);
        System.Diagnostics.Activity.Current?.SetTag(ClusterTelemetry.Attributes.Bytes, buffer.LongLength);
        var values = MemoryMarshal.Cast<byte, float>(buffer).ToArray();
        return tensor(values, shape).to(device);
    }
}
