using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MetaCluster.ServiceDefaults.Hosting;

namespace MetaCluster.Testing.Processes;

/// <summary>
/// A throw-away redis-server on a free loopback port, started by the repository's own
/// <c>Deploy/scripts/start-redis.sh</c> (which installs Debian's package on first use), for
/// Orleans membership of a <see cref="ProcessCluster"/>. Killed on dispose.
/// </summary>
public sealed class LocalRedis : IAsyncDisposable
{
    private readonly ManagedProcess process;

    private LocalRedis(ManagedProcess process, string address)
    {
        this.process = process;
        Address = address;
    }

    /// <summary>HOST:PORT, for <c>--redis</c>.</summary>
    public string Address { get; }

    /// <summary>Starts the server and waits until its port answers (the first start may install it from apt).</summary>
    public static async Task<LocalRedis> StartAsync(string repositoryRoot, TimeSpan timeout)
    {
        int port = FreePorts.Next();
        string script = Path.Combine(repositoryRoot, "Deploy", "scripts", "start-redis.sh");
        if (!File.Exists(script)) throw new FileNotFoundException($"no {script}: the Redis start script of the repository", script);
        var redis = ManagedProcess.Start("redis", "bash", [script, port.ToString(CultureInfo.InvariantCulture)]);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (redis.HasExited) throw new InvalidOperationException($"redis-server exited with {redis.ExitCode}:\n{redis.Output}");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return new LocalRedis(redis, $"127.0.0.1:{port}");
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            catch (SocketException)
            {
                await redis.DisposeAsync();
                throw;
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => process.DisposeAsync();
}
