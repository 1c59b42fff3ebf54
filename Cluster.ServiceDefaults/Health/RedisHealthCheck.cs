using MetaCluster.ServiceDefaults.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace MetaCluster.ServiceDefaults.Health;

/// <summary>
/// Ready only while the Redis membership store answers a PING within <see cref="Timeout"/>: without
/// it no silo can join, none can be declared dead, and a coordinator cannot place a new worker.
/// One connection is kept and reconnects by itself; the first check opens it.
/// </summary>
public sealed class RedisHealthCheck(ClusterMembershipSettings settings) : IHealthCheck, IAsyncDisposable
{
    /// <summary>How long a PING may take before Redis counts as not answering.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim connecting = new(1, 1);
    private ConnectionMultiplexer? connection;

    /// <inheritdoc/>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var redis = await ConnectAsync(cancellationToken);
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(Timeout, cancellationToken);
            return HealthCheckResult.Healthy($"redis {settings.Redis} answered in {latency.TotalMilliseconds:0.#} ms");
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"redis {settings.Redis} does not answer: {e.Message.Split('\n')[0]}");
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(CancellationToken cancellationToken)
    {
        if (connection is { } open) return open;
        await connecting.WaitAsync(cancellationToken);
        try
        {
            if (connection is null)
            {
                var options = ConfigurationOptions.Parse(settings.Redis);
                // Keep retrying in the background: Redis may come back after the first check.
                options.AbortOnConnectFail = false;
                options.ConnectTimeout = (int)Timeout.TotalMilliseconds;
                options.AsyncTimeout = (int)Timeout.TotalMilliseconds;
                connection = await ConnectionMultiplexer.ConnectAsync(options);
            }
            return connection;
        }
        finally
        {
            connecting.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (connection is not null) await connection.DisposeAsync();
        connecting.Dispose();
    }
}
