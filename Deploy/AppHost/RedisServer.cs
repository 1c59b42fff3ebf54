using System.Diagnostics;

namespace MetaCluster.AppHost;

/// <summary>
/// Debian's <c>redis-server</c>, the cluster's membership store, run by the orchestrator as an
/// executable resource (no container engine). Installed first by the repository's own
/// <c>Deploy/scripts/ensure-redis.sh</c> when it is missing.
/// </summary>
public static class RedisServer
{
    /// <summary>Makes sure redis-server is on PATH, installing it with the project's script if not.</summary>
    public static void EnsureInstalled(string repositoryRoot)
    {
        string script = Path.Combine(repositoryRoot, "Deploy", "scripts", "ensure-redis.sh");
        using var install = Process.Start(new ProcessStartInfo("bash", [script]) { UseShellExecute = false })
            ?? throw new InvalidOperationException($"could not start {script}");
        install.WaitForExit();
        if (install.ExitCode != 0) throw new InvalidOperationException($"{script} failed ({install.ExitCode}): install redis-server and start again");
    }

    /// <summary>Adds the server on 127.0.0.1:<paramref name="port"/>, without persistence (membership is rebuilt by the silos).</summary>
    public static IResourceBuilder<ExecutableResource> AddRedisServer(this IDistributedApplicationBuilder builder, string repositoryRoot, int port) =>
        builder.AddExecutable("redis", "redis-server", repositoryRoot,
                "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "notice")
            .WithEndpoint(port: port, targetPort: port, scheme: "tcp", name: "tcp", isProxied: false);
}
