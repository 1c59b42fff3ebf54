using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using MetaCluster.ServiceDefaults.Hosting;

namespace MetaCluster.Tests.Observability;

/// <summary>
/// The Aspire AppHost (Deploy/AppHost) as a user starts it, on free loopback ports: its orchestrator
/// starts redis-server, `Coordinator serve` and a TaskWorker, each becomes ready on its own
/// /healthz/ready, and one SIGTERM to the AppHost stops them all.
/// </summary>
[Collection(ObservabilityCollection.Name)]
public sealed class AppHostTests(ITestOutputHelper log)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task TheAppHostStartsRedisTheCoordinatorAndAWorkerThatBecomeReadyAndStopsThemOnSigterm()
    {
        string appHost = AppHostDll();
        Assert.SkipUnless(File.Exists(appHost), $"no AppHost build at {appHost}: build Deploy/AppHost");
        if (SystemPackages.RedisMissing is { } missing) Assert.Skip(missing);
        int redis = FreePorts.Next(), api = FreePorts.Next(), metrics = FreeMetricsPair();
        string state = Directory.CreateTempSubdirectory("metacluster-apphost-").FullName;
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePorts.Next()}",
            ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePorts.Next()}",
            ["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePorts.Next()}",
            ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",
            ["DOTNET_ENVIRONMENT"] = "Development",
        };
        var clock = Stopwatch.StartNew();
        await using var host = ManagedProcess.Start("apphost", "dotnet", [appHost, "--workers", "1", "--redis-port", Port(redis), "--api-port", Port(api),
            "--metrics-port", Port(metrics), "--state-dir", state], RepositoryPaths.Root, environment);
        try
        {
            await WaitReadyAsync($"http://127.0.0.1:{metrics}/healthz/ready", host, TimeSpan.FromMinutes(3));
            await WaitReadyAsync($"http://127.0.0.1:{metrics + 1}/healthz/ready", host, TimeSpan.FromMinutes(2));
            log.WriteLine($"coordinator and worker ready {clock.Elapsed.TotalSeconds:0.0} s after the AppHost started");
            Assert.True(Listens(redis), $"nothing listens on the Redis port {redis}\n{host.Output}");

            host.Terminate();
            await host.WaitForExitAsync(TimeSpan.FromSeconds(60));
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while ((Listens(redis) || Listens(api) || Listens(metrics) || Listens(metrics + 1)) && DateTime.UtcNow < deadline)
                await Task.Delay(250, TestContext.Current.CancellationToken);
            Assert.False(Listens(redis) || Listens(api) || Listens(metrics) || Listens(metrics + 1),
                $"a process the AppHost started still listens after SIGTERM\n{host.Output}");
        }
        finally
        {
            host.Kill();
            Directory.Delete(state, recursive: true);
        }
    }

    // The AppHost built in this test's configuration (the project reference builds it, unreferenced).
    private static string AppHostDll()
    {
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        return Path.Combine(RepositoryPaths.Root, "Deploy", "AppHost", "bin", configuration, "net10.0", "AppHost.dll");
    }

    private static async Task WaitReadyAsync(string url, ManagedProcess host, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var response = await Http.GetAsync(url, TestContext.Current.CancellationToken);
                if (response.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{url} was not ready within {timeout.TotalSeconds:0} s\n{host.Output}");
            await Task.Delay(500, TestContext.Current.CancellationToken);
        }
    }

    // The AppHost gives worker i the metrics port base + i: two free neighbours.
    private static int FreeMetricsPair()
    {
        for (int tries = 0; tries < 50; tries++)
        {
            int port = FreePorts.Next();
            if (port < 65535 && !Listens(port + 1)) return port;
        }
        throw new InvalidOperationException("no two free neighbouring ports");
    }

    private static bool Listens(int port)
    {
        try
        {
            using var client = new TcpClient();
            return client.ConnectAsync("127.0.0.1", port).Wait(TimeSpan.FromMilliseconds(300)) && client.Connected;
        }
        catch (AggregateException) { return false; }
        catch (SocketException) { return false; }
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
