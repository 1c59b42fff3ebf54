using MetaCluster.Testing.Processes;

namespace MetaCluster.Tests.Processes;

/// <summary>
/// A real redis-server on loopback, started by the project's own script. Where redis-server is not
/// installed and the tests are not root (the script installs it only as root), nothing starts and
/// every test that asks for <see cref="Address"/> is skipped with the command that installs it.
/// </summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private LocalRedis? redis;

    /// <summary>Why there is no Redis here, or null.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>HOST:PORT of the server; skips the calling test where there is none.</summary>
    public string Address
    {
        get
        {
            if (SkipReason is not null) Assert.Skip(SkipReason);
            return redis?.Address ?? throw new InvalidOperationException("Redis is not started");
        }
    }

    // As root (CI) the first run may install redis-server from apt.
    public async ValueTask InitializeAsync()
    {
        SkipReason = SystemPackages.RedisMissing;
        if (SkipReason is null) redis = await LocalRedis.StartAsync(RepositoryPaths.Root, TimeSpan.FromMinutes(5));
    }

    public async ValueTask DisposeAsync()
    {
        if (redis is not null) await redis.DisposeAsync();
    }
}
