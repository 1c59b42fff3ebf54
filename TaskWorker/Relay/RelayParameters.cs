using Grpc.Core;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.TaskWorker.DataPlane;

namespace MetaCluster.TaskWorker.Relay;

/// <summary>
/// The parameters a relay serves to the workers of its super-groups: each run's latest version,
/// fetched once from upstream (the coordinator) as raw bytes and shared by every caller.
/// </summary>
public sealed class RelayParameters(DataPlaneChannels channels)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, (long Version, Task<(long[] Shape, byte[] Bytes)> Fetch)> latest = [];

    /// <summary>Version <paramref name="version"/> of a run's parameters, fetched from <paramref name="upstreamUrl"/> if not held.</summary>
    public Task<(long[] Shape, byte[] Bytes)> GetAsync(string upstreamUrl, string runId, long version)
    {
        lock (gate)
        {
            if (latest.TryGetValue(runId, out var entry) && entry.Version == version && !entry.Fetch.IsFaulted && !entry.Fetch.IsCanceled)
                return entry.Fetch;
            var fetch = FetchAsync(upstreamUrl, runId, version);
            if (!latest.TryGetValue(runId, out entry) || entry.Version <= version) latest[runId] = (version, fetch);
            return fetch;
        }
    }

    private async Task<(long[] Shape, byte[] Bytes)> FetchAsync(string upstreamUrl, string runId, long version)
    {
        using var call = channels.Client(upstreamUrl).GetParameters(new GetParametersRequest { RunId = runId, Version = version });
        byte[]? bytes = null;
        long[] shape = [];
        long received = 0;
        await foreach (var chunk in call.ResponseStream.ReadAllAsync())
        {
            if (chunk.ByteOffset == 0 && bytes is null)
            {
                if (chunk.Dtype != DType.Float32) throw new InvalidDataException($"parameters of run {runId}: expected FLOAT32, got {chunk.Dtype}");
                shape = [.. chunk.Shape];
                if (shape.Any(d => d < 0) || shape.Aggregate(1L, (a, b) => checked(a * b)) * sizeof(float) != chunk.TotalBytes)
                    throw new InvalidDataException($"parameters of run {runId}: shape [{string.Join(", ", shape)}] does not fit {chunk.TotalBytes} bytes");
                bytes = GC.AllocateUninitializedArray<byte>(checked((int)chunk.TotalBytes));
            }
            if (bytes is null || chunk.ByteOffset != received || chunk.ByteOffset + chunk.Data.Length > bytes.Length)
                throw new InvalidDataException($"parameters of run {runId}: chunk at byte {chunk.ByteOffset} is out of order or outside the tensor");
            chunk.Data.Span.CopyTo(bytes.AsSpan((int)chunk.ByteOffset));
            received += chunk.Data.Length;
        }
        if (bytes is null || received != bytes.Length) throw new InvalidDataException($"parameters of run {runId} version {version}: incomplete stream ({received} bytes)");
        Observability.ClusterMetrics.RecordBytes("received", "relay", received);
        return (shape, bytes);
    }
}
