using MetaCluster.TaskWorker.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace MetaCluster.TaskWorker.Health;

/// <summary>
/// Ready only while the workers' device computes: a small tensor is made on it, doubled, summed and
/// read back. A GPU that fell off the bus, a driver that broke, or a CUDA device asked of a CPU build
/// fails here, so the pod leaves rotation before shards fail on it. The answer is kept for
/// <see cref="Lifetime"/>, so probes cost the device next to nothing.
/// </summary>
public sealed class DeviceHealthCheck(IOptions<WorkerOptions> options) : IHealthCheck
{
    /// <summary>How long one answer is reused.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    private readonly Lock gate = new();
    private (DateTime At, HealthCheckResult Result)? last;

    /// <inheritdoc/>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        lock (gate)
            if (last is { } cached && DateTime.UtcNow - cached.At < Lifetime) return cached.Result;
        // libtorch calls block: off the request's thread.
        var result = await Task.Run(() => Probe(options.Value.Device), cancellationToken);
        lock (gate) last = (DateTime.UtcNow, result);
        return result;
    }

    /// <summary>Computes on <paramref name="device"/> (<c>cpu</c>, <c>cuda:N</c>); healthy when the answer is right.</summary>
    public static HealthCheckResult Probe(string device)
    {
        try
        {
            using var scope = torch.NewDisposeScope();
            var on = torch.device(device);
            float sum = (torch.ones(8, device: on) * 2).sum().cpu().item<float>();
            return sum == 16f
                ? HealthCheckResult.Healthy($"device {device} computes")
                : HealthCheckResult.Unhealthy($"device {device} computed {sum} for 16");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy($"device {device} does not compute: {e.Message.Split('\n')[0]}");
        }
    }
}
