using System.Security.Cryptography;

namespace MetaCluster.Tests.PythonClient;

/// <summary>
/// What the client's tests run against, started once for the test class: a real Redis,
/// <c>Coordinator serve</c> on loopback requiring a random token, and two TaskWorker processes
/// (one CPU worker and one libtorch thread each). Nothing is started when the interpreter cannot
/// run the tests; each test is then skipped with <see cref="PythonInterpreter.Missing"/>.
/// </summary>
public sealed class PythonClusterFixture : IAsyncLifetime
{
    private LocalRedis? redis;

    /// <summary>The interpreter, once initialised.</summary>
    public PythonInterpreter Python { get; private set; } = new("", "not initialised");

    /// <summary>The running cluster; null when the interpreter cannot run the tests.</summary>
    public ProcessCluster? Cluster { get; private set; }

    /// <inheritdoc/>
    public async ValueTask InitializeAsync()
    {
        Python = await PythonInterpreter.FindAsync();
        if (Python.Missing is not null) return;
        if (SystemPackages.RedisMissing is { } noRedis)
        {
            // The tests skip on Python.Missing: say that Redis, not the interpreter, is what is missing.
            Python = Python with { Missing = noRedis };
            return;
        }
        // As root (CI) the first run may install redis-server from apt.
        redis = await LocalRedis.StartAsync(RepositoryPaths.Root, TimeSpan.FromMinutes(5));
        Cluster = new ProcessCluster(redis.Address, token: Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), name: "python");
        await Cluster.StartCoordinatorAsync();
        await Cluster.StartWorkerAsync(expectedWorkers: 1);
        await Cluster.StartWorkerAsync(expectedWorkers: 2);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
            try { Directory.Delete(Cluster.StateDirectory, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        if (redis is not null) await redis.DisposeAsync();
    }
}
