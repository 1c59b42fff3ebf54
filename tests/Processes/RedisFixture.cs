using MetaCluster.Coordinator.Hosting;

namespace MetaCluster.Tests.Processes;

/// <summary>A real redis-server on loopback, installed and started by the project's own script.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private ManagedProcess? redis;

    public string Address { get; private set; } = "";

    public async Task InitializeAsync()
    {
        int port = FreePorts.Next();
        redis = ManagedProcess.Start("redis", "bash", [Path.Combine(RepositoryPaths.Root, "Deploy", "scripts", "start-redis.sh"), port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        // The first run may install redis-server from apt; then wait for the port to answer.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (true)
        {
            if (redis.HasExited) throw new InvalidOperationException($"redis-server exited with {redis.ExitCode}:\n{redis.Output}");
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(System.Net.IPAddress.Loopback, port);
                break;
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
        Address = $"127.0.0.1:{port}";
    }

    public async Task DisposeAsync()
    {
        if (redis is not null) await redis.DisposeAsync();
    }
}
