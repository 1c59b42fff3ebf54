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
    private readonly string repositoryRoot;
    private readonly int port;
    private ManagedProcess process;

    private LocalRedis(ManagedProcess process, string repositoryRoot, int port)
    {
        this.process = process;
        this.repositoryRoot = repositoryRoot;
        this.port = port;
        Address = $"127.0.0.1:{port}";
    }

    /// <summary>HOST:PORT, for <c>--redis</c>.</summary>
    public string Address { get; }

    /// <summary>Starts the server and waits until its port answers (the first start may install it from apt).</summary>
    public static async Task<LocalRedis> StartAsync(string repositoryRoot, TimeSpan timeout)
    {
        int port = FreePorts.Next();
        return new LocalRedis(await StartServerAsync(repositoryRoot, port, timeout), repositoryRoot, port);
    }

    /// <summary>SIGKILL: the server and everything it held are gone (it runs without persistence).</summary>
    public void Kill() => process.Kill();

    /// <summary>Starts a new, empty server on the same port (after <see cref="Kill"/>), as a restarted pod would be.</summary>
    public async Task RestartAsync(TimeSpan timeout)
    {
        process.Kill();
        await process.DisposeAsync();
        process = await StartServerAsync(repositoryRoot, port, timeout);
    }

    private static async Task<ManagedProcess> StartServerAsync(string repositoryRoot, int port, TimeSpan timeout)
    {
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
                return redis;
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
