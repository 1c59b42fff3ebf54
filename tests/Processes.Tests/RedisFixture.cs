using MetaCluster.Testing.Processes;

namespace MetaCluster.Tests.Processes;

/// <summary>A real redis-server on loopback, installed and started by the project's own script.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private LocalRedis? redis;

    public string Address => redis?.Address ?? "";

    // The first run may install redis-server from apt.
    public async ValueTask InitializeAsync() => redis = await LocalRedis.StartAsync(RepositoryPaths.Root, TimeSpan.FromMinutes(5));

    public async ValueTask DisposeAsync()
    {
        if (redis is not null) await redis.DisposeAsync();
    }
}
